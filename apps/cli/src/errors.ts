import { ConfigError } from '@leadsync/config';
import { DbError } from '@leadsync/db';
import { describeOnboardingError, ZohoError } from '@leadsync/zoho-client';

/** A failure the user can act on: printed as one line, exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** What the CLI knows of its configuration when a command fails (nothing, if loading it failed). */
export interface FailureContext {
  ZOHO_REDIRECT_URI?: string;
  SUPABASE_URL?: string;
}

/** The one line a failed command prints: what is wrong, and where to look. */
export function oneLine(err: unknown, config: FailureContext = {}): string {
  if (err instanceof CliError || err instanceof ConfigError) return err.message;
  if (err instanceof ZohoError) {
    const described = describeOnboardingError(err, { redirectUri: config.ZOHO_REDIRECT_URI ?? '' });
    return described?.message ?? err.message;
  }
  if (err instanceof DbError) return `Supabase: ${err.message} (SUPABASE_URL=${config.SUPABASE_URL ?? '?'})`;
  const message = (err as Error)?.message ?? String(err);
  if (/ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection is closed/.test(message)) {
    return `cannot reach a service: ${message} (check REDIS_URL and SUPABASE_URL)`;
  }
  return message;
}

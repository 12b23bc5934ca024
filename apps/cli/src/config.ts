import { apiPortSchema, parseEnv, sharedEnvSchema, syncModeSchema, zohoRedirectUri } from '@leadsync/config';
import type { z } from 'zod';

/**
 * The CLI reads the API's environment (it onboards and operates the same deployment), but only
 * the part it uses: PORT and ZOHO_REDIRECT_URI name the callback a consent URL sends Zoho back
 * to, SYNC_MODE says whether a new connection nudges the sync.
 */
export const cliEnvSchema = sharedEnvSchema
  .extend({ PORT: apiPortSchema, SYNC_MODE: syncModeSchema })
  .transform((env) => ({ ...env, ZOHO_REDIRECT_URI: zohoRedirectUri(env) }));

export type CliConfig = z.infer<typeof cliEnvSchema>;

/** Throws ConfigError naming the first bad variable. */
export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return parseEnv(cliEnvSchema, env);
}

import { JOBS } from '@leadsync/queue';
import type { TokenManager } from '@leadsync/zoho-client';
import type { Job } from 'bullmq';

/**
 * Renews the Zoho access token well before its hour is up, so no sync ever waits for a refresh.
 * It goes through the token manager like every other caller: one refresh at a time across all
 * processes, within Zoho's limit of access tokens per refresh token. The manager caps
 * `refreshAheadMs` like its safety margin (effectiveMargin: at most a quarter of the lifetime the
 * token was issued with), so a token shorter than the refresh-ahead time is not renewed on every run.
 */
export async function processRefreshToken(
  tokens: TokenManager,
  refreshAheadMs: number,
  job: Job,
): Promise<{ connected: boolean; expiresAt?: string }> {
  const { force } = JOBS.refreshToken.schema.parse(job.data);
  const status = await tokens.status();
  if (!status.connected) return { connected: false };
  const credentials = force
    ? await tokens.forceRefresh()
    : await tokens.getCredentials({ minRemainingMs: refreshAheadMs });
  return { connected: true, expiresAt: credentials.expiresAt.toISOString() };
}

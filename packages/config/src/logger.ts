import { type Logger, pino } from 'pino';

/**
 * Everything that may carry a secret, wherever it appears in a log object. pino's redaction
 * works on paths, so request headers and the token-ish keys of any logged object are listed.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.accessToken',
  '*.refreshToken',
  '*.clientSecret',
  '*.CRON_SECRET',
  '*.TOKEN_ENCRYPTION_KEY',
  '*.ZOHO_CLIENT_SECRET',
  '*.ZOHO_REFRESH_TOKEN',
  '*.SUPABASE_SERVICE_ROLE_KEY',
  '*.serviceRoleKey',
  '*.encryptionKey',
];

export function createLogger(options: { name: string; level?: string }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}

export type { Logger };

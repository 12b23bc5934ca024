export {
  apiPortSchema,
  ConfigError,
  LOCAL_SERVICE_ROLE_KEY,
  LOCAL_SUPABASE_URL,
  parseEnv,
  type SharedEnv,
  sharedEnvSchema,
  syncModeSchema,
  zohoRedirectUri,
} from './env.js';
export { createLogger, type Logger, REDACT_PATHS } from './logger.js';
export { withTimeout } from './timeout.js';

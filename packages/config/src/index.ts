export {
  apiPortSchema,
  ConfigError,
  clusterConfigIssue,
  LOCAL_SERVICE_ROLE_KEY,
  LOCAL_SUPABASE_URL,
  parseEnv,
  parseRedisNode,
  type RedisNode,
  redisHashTag,
  type SharedEnv,
  sharedEnvSchema,
  syncModeSchema,
  zohoRedirectUri,
} from './env.js';
export { createLogger, type Logger, REDACT_PATHS } from './logger.js';
export { withTimeout } from './timeout.js';

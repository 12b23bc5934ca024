export { migrate } from '@leadsync/db/migrate';
export { createGatewayHandler, type Gateway, startGateway } from './gateway.js';
export { dropTestTemplate, type IsolatedStack, prepareTestTemplate, startIsolatedStack } from './isolated.js';
export { LOCAL_ANON_KEY, LOCAL_JWT_SECRET, LOCAL_SERVICE_ROLE_KEY, signJwt } from './keys.js';
export { freePort, waitFor } from './ports.js';
export { createDatabase, dropDatabase, ensureRoles, StackUnavailableError, withClient } from './postgres.js';
export { type PostgrestProcess, startPostgrest } from './postgrest.js';
export {
  isAlive,
  type Spawned,
  type SpawnedApi,
  type SpawnOptions,
  spawnApi,
  spawnEntry,
  spawnServing,
  spawnWorkerProcess,
  stackEnv,
  type ZohoEndpoints,
} from './processes.js';
export {
  clearRedisPrefix,
  deleteKeysUnder,
  localRedisPid,
  type RedisProcess,
  redisAnswers,
  startRedisServer,
} from './redis.js';
export {
  parseClusterInfo,
  type RedisClusterNode,
  type RedisClusterProcess,
  redisClusterToolsOnPath,
  startRedisCluster,
} from './redis-cluster.js';
export { DEFAULTS, REPO_ROOT, STATE_DIR, tsxEntry } from './settings.js';
export { type StackInfo, stackDown, stackSettings, stackUp } from './stack.js';

import { bestEffort, guarded, type RedisLike } from './redis.js';
import { RELEASE_LOCK_SCRIPT } from './scripts/release-lock.js';

export interface RefreshLock {
  /** SET NX PX: true when this holder (a random id per attempt) now holds the lock. */
  tryAcquire(holderId: string): Promise<boolean>;
  /** Best effort: a lock we fail to release expires after its TTL anyway. */
  release(holderId: string): Promise<void>;
  /** Whether anyone holds it; a holder that died stops holding it when its TTL ends. */
  isHeld(): Promise<boolean>;
}

/** The lock that lets one process at a time refresh. `ttlMs` must exceed the token endpoint timeout. */
export function createRefreshLock(redis: RedisLike, key: string, ttlMs: number): RefreshLock {
  return {
    async tryAcquire(holderId) {
      return (await guarded(() => redis.set(key, holderId, 'PX', ttlMs, 'NX'))) === 'OK';
    },
    async release(holderId) {
      await bestEffort(guarded(() => redis.eval(RELEASE_LOCK_SCRIPT, 1, key, holderId)));
    },
    async isHeld() {
      return (await guarded(() => redis.exists(key))) > 0;
    },
  };
}

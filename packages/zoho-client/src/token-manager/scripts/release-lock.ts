/**
 * Compare-and-delete: the lock is released only by the holder whose random value it still holds,
 * so a holder whose lock expired (and was taken by another process) cannot release the new one.
 * KEYS: lock. ARGV: holder id. Returns 1 when released, 0 otherwise.
 */
export const RELEASE_LOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

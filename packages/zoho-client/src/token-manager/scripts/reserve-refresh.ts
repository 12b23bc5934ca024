/**
 * Takes one slot of the sliding refresh window, unless the window is full or Zoho's own throttle is
 * recorded. Runs on Redis's own clock (TIME), so processes on machines with skewed clocks agree.
 * KEYS: window zset, block key. ARGV: windowMs, max, member.
 * Returns {1, now, count} when a slot was taken, {0, resetAtMs, count} when refused.
 */
export const RESERVE_REFRESH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {0, now + blocked, -1} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= max then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window, count}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, now, count + 1}`;

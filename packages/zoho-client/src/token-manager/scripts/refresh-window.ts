/**
 * Reads the sliding refresh window without taking a slot (for status), on Redis's clock like
 * RESERVE_REFRESH_SCRIPT. KEYS: window zset, block key. ARGV: windowMs, max.
 * Returns {count, throttledUntilMs or 0}.
 */
export const REFRESH_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return {count, now + blocked} end
if count >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {count, tonumber(oldest[2]) + window}
end
return {count, 0}`;

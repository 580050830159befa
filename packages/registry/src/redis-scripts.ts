/**
 * Lua scripts of the Redis backend. Each runs atomically inside Redis, so concurrent
 * registrations from many servers never interleave halfway.
 *
 * Key layout (every key carries the same `{hash tag}` prefix, so one Cluster slot holds them):
 *   <p>:svc:<NAME>     HASH  field = JSON [host, port], value = "<lastSeenMs> <expiresAtMs>"
 *   <p>:ep:<[host,port]> SET  names registered by that endpoint (for UNREGISTER)
 *   <p>:names          ZSET  NAME → latest expiry of its entries (for LIST)
 *   <p>:events         pub/sub channel: JSON ["added"|"removed", NAME, field, reason?]
 * Every key has a TTL of at least the longest live entry's, so when every server is gone the
 * keys disappear with no process running; entries past their expiry are also pruned on read.
 *
 * Time: ARGV "now" when the client injects a clock (tests), otherwise Redis's own TIME, so
 * every client agrees on one clock.
 */

const NOW = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;

const KEEP_TTL = `
local function keepTtl(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end`;

/** KEYS: ep, names, svc…; ARGV: now, ttlMs, field, channel, NAME… (same order as svc keys). */
export const REGISTER_SCRIPT = `${NOW}${KEEP_TTL}
local ttl = tonumber(ARGV[2])
local field, channel = ARGV[3], ARGV[4]
local expires = now + ttl
local added = {}
for i = 5, #ARGV do
  local name, svc = ARGV[i], KEYS[i - 2]
  local old = redis.call('HGET', svc, field)
  local oldExpiry = old and tonumber(string.match(old, ' (%d+)$')) or 0
  redis.call('HSET', svc, field, string.format('%d %d', now, expires))
  keepTtl(svc, ttl)
  redis.call('SADD', KEYS[1], name)
  local score = redis.call('ZSCORE', KEYS[2], name)
  if not score or tonumber(score) < expires then redis.call('ZADD', KEYS[2], expires, name) end
  if oldExpiry <= now then
    added[#added + 1] = name
    redis.call('PUBLISH', channel, cjson.encode({'added', name, field}))
  end
end
keepTtl(KEYS[1], ttl)
keepTtl(KEYS[2], ttl)
return added`;

/** KEYS: ep, names; ARGV: now (unused), field, channel, svc key prefix. Returns entries removed. */
export const UNREGISTER_SCRIPT = `
local field, channel, svcPrefix = ARGV[2], ARGV[3], ARGV[4]
local removed = 0
local names = redis.call('SMEMBERS', KEYS[1])
table.sort(names)
for _, name in ipairs(names) do
  local svc = svcPrefix .. name
  if redis.call('HDEL', svc, field) == 1 then
    removed = removed + 1
    redis.call('PUBLISH', channel, cjson.encode({'removed', name, field, 'unregistered'}))
  end
  if redis.call('EXISTS', svc) == 0 then redis.call('ZREM', KEYS[2], name) end
end
redis.call('DEL', KEYS[1])
return removed`;

/** Removes expired fields of one svc hash, publishing each; returns the live ones as {field, value}. */
const PRUNE_SVC = `
local function pruneSvc(svc, name, channel)
  local live = {}
  local all = redis.call('HGETALL', svc)
  for i = 1, #all, 2 do
    local expiry = tonumber(string.match(all[i + 1], ' (%d+)$')) or 0
    if expiry <= now then
      redis.call('HDEL', svc, all[i])
      redis.call('PUBLISH', channel, cjson.encode({'removed', name, all[i], 'pruned'}))
    else
      live[#live + 1] = {all[i], all[i + 1]}
    end
  end
  return live
end`;

/** KEYS: svc, names; ARGV: now, NAME, channel. Returns flat [field, ageMs, …], oldest first. */
export const QUERY_SCRIPT = `${NOW}${PRUNE_SVC}
local live = pruneSvc(KEYS[1], ARGV[2], ARGV[3])
if #live == 0 then redis.call('ZREM', KEYS[2], ARGV[2]) end
local out = {}
for _, entry in ipairs(live) do
  local seen = tonumber(string.match(entry[2], '^(%d+) '))
  out[#out + 1] = {entry[1], now - seen}
end
table.sort(out, function(a, b) return a[2] > b[2] end)
local flat = {}
for _, e in ipairs(out) do flat[#flat + 1] = e[1]; flat[#flat + 1] = e[2] end
return flat`;

/** KEYS: names; ARGV: now, channel, svc key prefix, host filter prefix or "". Returns NAMEs. */
export const LIST_SCRIPT = `${NOW}${PRUNE_SVC}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local names = {}
for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local live = pruneSvc(ARGV[3] .. name, name, ARGV[2])
  if #live == 0 then
    redis.call('ZREM', KEYS[1], name)
  else
    local match = ARGV[4] == ''
    for _, entry in ipairs(live) do
      if not match and string.sub(entry[1], 1, #ARGV[4]) == ARGV[4] then match = true end
    end
    if match then names[#names + 1] = name end
  end
end
table.sort(names)
return names`;

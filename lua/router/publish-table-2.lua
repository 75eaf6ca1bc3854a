-- Publishes the routing table: KEYS[1] `<prefix>table`, KEYS[2] `<prefix>serial`; ARGV[1] the
-- table text, ARGV[2] the lowest serial the publisher accepts (one above the last it wrote, or
-- the time in milliseconds if higher). The new serial is above both that and the one in Redis,
-- so routers, which never go back to a lower serial, take it even after Redis restarted empty or
-- from an older snapshot, or a restarted pacemaker publishes again. Returns the new serial.
local current = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
local serial = math.max(current + 1, tonumber(ARGV[2]))
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], string.format('%d', serial))
return serial

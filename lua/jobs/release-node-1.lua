-- Gives up a node's lease (a node shutting down cleanly), if `holder` still holds it.
-- KEYS[1] prefix
-- ARGV: nodeId, holder
-- Returns 1 if released, 0 if the lease was not this holder's.
local prefix = KEYS[1]
if redis.call('HGET', prefix .. 'lease:holders', ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', prefix .. 'lease:holders', ARGV[1])
redis.call('ZREM', prefix .. 'lease:expiry', ARGV[1])
return 1

-- Takes or renews a node's lease for `holder` (one process), until `expiresAt`: refused while
-- another holder's lease has not lapsed (a second live process with the same node id).
-- KEYS[1] prefix
-- ARGV: nodeId, holder, expiresAt, now
-- Returns {1} when held, or {0, other holder, its expiresAt} when refused.
local prefix = KEYS[1]
local nodeId = ARGV[1]
local holdersKey = prefix .. 'lease:holders'
local expiryKey = prefix .. 'lease:expiry'

local holder = redis.call('HGET', holdersKey, nodeId)
if holder and holder ~= ARGV[2] then
  local expiresAt = redis.call('ZSCORE', expiryKey, nodeId)
  if expiresAt and tonumber(expiresAt) > tonumber(ARGV[4]) then
    return { 0, holder, expiresAt }
  end
end
redis.call('HSET', holdersKey, nodeId, ARGV[2])
redis.call('ZADD', expiryKey, ARGV[3], nodeId)
return { 1 }

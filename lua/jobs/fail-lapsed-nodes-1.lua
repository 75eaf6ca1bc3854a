-- Every node whose lease lapsed before `now` is lost: its RUNNING jobs become FAILED
-- ("Failed: node <id> lost ..."), their trees are aborted, and the lease is dropped
-- (O(lapsed nodes + their running jobs + pending jobs of their trees)).
-- KEYS[1] prefix
-- ARGV: now, abort summary, summary before the node id, summary after it
-- Returns {lapsed node ids, tree ids aborted}. Publishes the state events and one `aborted`
-- event per tree that was not aborted before.
local prefix = KEYS[1]
local now = ARGV[1]
local expiryKey = prefix .. 'lease:expiry'

local nodeIds = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', now)
local events = {}
local treeIds = {}
local seen = {}
for _, nodeId in ipairs(nodeIds) do
  failRunningJobsOfNode(prefix, nodeId, ARGV[3] .. nodeId .. ARGV[4], now, events, treeIds, seen)
  redis.call('ZREM', expiryKey, nodeId)
  redis.call('HDEL', prefix .. 'lease:holders', nodeId)
end
abortTreesOfFailedJobs(prefix, treeIds, ARGV[2], now, events)
publishEvents(prefix, events)
return { nodeIds, treeIds }

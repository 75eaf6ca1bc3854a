-- Crash recovery: every job RUNNING on a node becomes FAILED and its tree is aborted
-- (O(running jobs of the node + pending jobs of their trees)).
-- KEYS[1] prefix
-- ARGV: nodeId, summary, now, abort summary
-- Returns the ids of the trees of the failed jobs. Publishes the state events and one `aborted`
-- event per tree that was not aborted before.
local prefix = KEYS[1]
local now = ARGV[3]

local events = {}
local treeIds = {}
failRunningJobsOfNode(prefix, ARGV[1], ARGV[2], now, events, treeIds, {})
abortTreesOfFailedJobs(prefix, treeIds, ARGV[4], now, events)
publishEvents(prefix, events)
return treeIds

-- Crash recovery: every job RUNNING on a node becomes FAILED and its tree is aborted
-- (O(running jobs of the node + pending jobs of their trees)).
-- KEYS[1] prefix
-- ARGV: nodeId, summary, now, abort summary
-- Returns the ids of the trees of the failed jobs. Publishes the state events and one `aborted`
-- event per tree that was not aborted before.
local prefix = KEYS[1]
local nodeId = ARGV[1]
local summary = ARGV[2]
local now = ARGV[3]
local abortSummary = ARGV[4]

local events = {}
local treeIds = {}
local seen = {}
for _, jobId in ipairs(redis.call('SMEMBERS', prefix .. 'node:' .. nodeId .. ':running')) do
  local job = redis.call('HMGET', prefix .. 'job:' .. jobId, 'state', 'treeId', 'parentId')
  local treeId = job[2]
  if job[1] == 'RUNNING' then
    finishRunningJob(prefix, jobId, treeId, nodeId, 'FAILED', summary, now)
    events[#events + 1] = stateEvent(treeId, jobId, job[3], nodeId, 'FAILED', summary)
  end
  if treeId and not seen[treeId] then
    seen[treeId] = true
    treeIds[#treeIds + 1] = treeId
  end
end
redis.call('DEL', prefix .. 'node:' .. nodeId .. ':running')

for _, treeId in ipairs(treeIds) do
  local running, wasAborted = abortTreeJobs(prefix, treeId, abortSummary, now, events)
  if not wasAborted then
    events[#events + 1] = { kind = 'aborted', treeId = treeId, summary = abortSummary, running = running }
  end
end
publishEvents(prefix, events)
return treeIds

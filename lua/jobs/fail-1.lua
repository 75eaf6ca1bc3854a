-- RUNNING -> FAILED (if the job is RUNNING), then aborts its tree: every NEW or WAITING job
-- becomes ABORTED (O(pending jobs)).
-- KEYS[1] prefix
-- ARGV: jobId, summary, now, abort summary
-- Returns {treeId, jobId, nodeId, ...} with the jobs still RUNNING. Publishes the state events
-- and, if the tree was not aborted before, one `aborted` event.
local prefix = KEYS[1]
local jobId = ARGV[1]
local now = ARGV[3]
local abortSummary = ARGV[4]

local job = redis.call('HMGET', prefix .. 'job:' .. jobId, 'state', 'treeId', 'parentId', 'nodeId')
local treeId = job[2]
if not treeId then
  return contractError('E_JOB_NOT_FOUND', { jobId = jobId })
end

local events = {}
if job[1] == 'RUNNING' then
  finishRunningJob(prefix, jobId, treeId, job[4], 'FAILED', ARGV[2], now)
  events[1] = stateEvent(treeId, jobId, job[3], job[4], 'FAILED', ARGV[2])
end
local running, wasAborted = abortTreeJobs(prefix, treeId, abortSummary, now, events)
if not wasAborted then
  events[#events + 1] = { kind = 'aborted', treeId = treeId, summary = abortSummary, running = running }
end
publishEvents(prefix, events)
local reply = flattenRefs(running)
table.insert(reply, 1, treeId)
return reply

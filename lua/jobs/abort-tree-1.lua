-- Aborts the tree a job belongs to: every NEW or WAITING job becomes ABORTED (O(pending jobs)).
-- KEYS[1] prefix
-- ARGV: jobId, summary, now
-- Returns {treeId, jobId, nodeId, ...} with the jobs still RUNNING; publishes the state events
-- and one `aborted` event (also when the tree was aborted before, so nodes signal again).
local prefix = KEYS[1]
local jobId = ARGV[1]
local summary = ARGV[2]

local treeId = redis.call('HGET', prefix .. 'job:' .. jobId, 'treeId')
if not treeId then
  return contractError('E_JOB_NOT_FOUND', { jobId = jobId })
end
local rootState = redis.call('HGET', prefix .. 'job:' .. treeId, 'state')
if FINISHED[rootState] then
  return contractError('E_JOB_FINISHED', { jobId = jobId, treeId = treeId, state = rootState })
end

local events = {}
local running = abortTreeJobs(prefix, treeId, summary, ARGV[3], events)
events[#events + 1] = { kind = 'aborted', treeId = treeId, summary = summary, running = running }
publishEvents(prefix, events)
local reply = flattenRefs(running)
table.insert(reply, 1, treeId)
return reply

-- RUNNING -> ABORTED for a job that stopped after its tree was aborted. Should the tree not be
-- aborted yet, it is aborted too: an ABORTED child would otherwise leave its ancestors WAITING
-- forever.
-- KEYS[1] prefix
-- ARGV: jobId, summary, now, abort summary (for the tree's other jobs)
-- Returns 1 if the job was RUNNING, else 0 (and changes nothing).
local prefix = KEYS[1]
local jobId = ARGV[1]
local now = ARGV[3]

local job = redis.call('HMGET', prefix .. 'job:' .. jobId, 'state', 'treeId', 'parentId', 'nodeId')
if job[1] ~= 'RUNNING' then
  return 0
end
local treeId = job[2]
finishRunningJob(prefix, jobId, treeId, job[4], 'ABORTED', ARGV[2], now)
local events = { stateEvent(treeId, jobId, job[3], job[4], 'ABORTED', ARGV[2]) }
if redis.call('HGET', prefix .. 'tree:' .. treeId, 'aborted') ~= '1' then
  local running = abortTreeJobs(prefix, treeId, ARGV[4], now, events)
  events[#events + 1] = { kind = 'aborted', treeId = treeId, summary = ARGV[4], running = running }
end
publishEvents(prefix, events)
return 1

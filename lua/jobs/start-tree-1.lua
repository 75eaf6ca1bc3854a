-- NEW -> WAITING for every NEW job of a tree (O(pending jobs)).
-- KEYS[1] prefix
-- ARGV: treeId
-- Returns the jobs now ready as {jobId, nodeId, ...}; publishes `state` events, then `ready`.
local prefix = KEYS[1]
local treeId = ARGV[1]
local treeKey = prefix .. 'tree:' .. treeId
if redis.call('EXISTS', treeKey) == 0 then
  return contractError('E_JOB_NOT_FOUND', { jobId = treeId })
end

local events = {}
local ready = {}
for _, jobId in ipairs(redis.call('SMEMBERS', treeKey .. ':pending')) do
  local jobKey = prefix .. 'job:' .. jobId
  local job = redis.call('HMGET', jobKey, 'state', 'nodeId', 'parentId', 'nChildren', 'nSucceeded')
  if job[1] == 'NEW' then
    redis.call('HSET', jobKey, 'state', 'WAITING')
    redis.call('SADD', prefix .. 'node:' .. job[2] .. ':waiting', jobId)
    events[#events + 1] = stateEvent(treeId, jobId, job[3], job[2], 'WAITING')
    if job[4] == job[5] then
      ready[#ready + 1] = { jobId = jobId, nodeId = job[2] }
    end
  end
end
if #ready > 0 then
  events[#events + 1] = { kind = 'ready', treeId = treeId, jobs = ready }
end
publishEvents(prefix, events)
return flattenRefs(ready)

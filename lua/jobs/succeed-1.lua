-- RUNNING -> SUCCESS, merging the job's context into the tree's first; RUNNING -> ABORTED
-- instead when the tree was aborted while the job ran (its outcome is dropped).
-- KEYS[1] prefix
-- ARGV: jobId, now, summary, abort summary, has result ('1' | '0'), result JSON, node to claim
--       a ready parent for ('' for none), then context pairs (key, value JSON, ...)
-- Returns {0} when nothing was recorded (not RUNNING, or aborted instead), {1} when it
-- succeeded, {1, parentId, parentNodeId} when that made its parent ready, and
-- {1, parentId, parentNodeId, claim reply} when the parent was also claimed (it belongs to the
-- node named in ARGV[7]): one round trip instead of two for every parent.
local prefix = KEYS[1]
local jobId = ARGV[1]
local now = ARGV[2]
local jobKey = prefix .. 'job:' .. jobId

local job = redis.call('HMGET', jobKey, 'state', 'treeId', 'parentId', 'nodeId')
if job[1] ~= 'RUNNING' then
  return { 0 }
end
local treeId = job[2]
local parentId = job[3]
local nodeId = job[4]
local treeKey = prefix .. 'tree:' .. treeId

if redis.call('HGET', treeKey, 'aborted') == '1' then
  finishRunningJob(prefix, jobId, treeId, nodeId, 'ABORTED', ARGV[4], now)
  publishEvents(prefix, { stateEvent(treeId, jobId, parentId, nodeId, 'ABORTED', ARGV[4]) })
  return { 0 }
end

if #ARGV > 7 then
  local contextPairs = {}
  for i = 8, #ARGV do
    contextPairs[#contextPairs + 1] = ARGV[i]
  end
  callChunked('HSET', treeKey .. ':context', contextPairs)
end
if ARGV[5] == '1' then
  redis.call('HSET', jobKey, 'result', ARGV[6])
end
finishRunningJob(prefix, jobId, treeId, nodeId, 'SUCCESS', ARGV[3], now)
local events = { stateEvent(treeId, jobId, parentId, nodeId, 'SUCCESS', ARGV[3]) }

local reply = { 1 }
if parentId ~= '' then
  local parentKey = prefix .. 'job:' .. parentId
  local succeeded = redis.call('HINCRBY', parentKey, 'nSucceeded', 1)
  local parent = redis.call('HMGET', parentKey, 'state', 'nChildren', 'nodeId')
  if parent[1] == 'WAITING' and tonumber(parent[2]) == succeeded then
    local claimed = nil
    if parent[3] == ARGV[7] then
      claimed = claimJob(prefix, parentId, parent[3], now, events)
    end
    if claimed then
      reply = { 1, parentId, parent[3], claimed }
    else
      events[#events + 1] = { kind = 'ready', treeId = treeId, jobs = { { jobId = parentId, nodeId = parent[3] } } }
      reply = { 1, parentId, parent[3] }
    end
  end
end
publishEvents(prefix, events)
return reply

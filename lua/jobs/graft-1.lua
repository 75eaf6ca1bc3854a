-- Adds jobs under a NEW or WAITING job of a tree that is not aborted.
-- KEYS[1] prefix
-- ARGV: parentId, createdAt, then 6 fields per job (id, parentId, nodeId, type, parameters JSON,
--       title), parents first; the top jobs have `parentId` as parent.
-- Returns the jobs now ready as {jobId, nodeId, ...}; publishes `created`, then `ready`.
local prefix = KEYS[1]
local graftParentId = ARGV[1]
local createdAt = ARGV[2]
local jobCount = (#ARGV - 2) / 6

local graftParent = redis.call('HMGET', prefix .. 'job:' .. graftParentId, 'state', 'treeId')
local parentState = graftParent[1]
local treeId = graftParent[2]
if not parentState then
  return contractError('E_JOB_NOT_FOUND', { jobId = graftParentId })
end
if parentState ~= 'NEW' and parentState ~= 'WAITING' then
  return contractError('E_JOB_GRAFT', { jobId = graftParentId, state = parentState })
end
local treeKey = prefix .. 'tree:' .. treeId
if redis.call('HGET', treeKey, 'aborted') == '1' then
  return contractError('E_JOB_GRAFT', { jobId = graftParentId, treeId = treeId, reason = 'aborted' })
end

-- Validate everything before the first write: an error reply does not undo writes.
local ids = {}
local childrenOf = {}
childrenOf[graftParentId] = {}
for i = 0, jobCount - 1 do
  local at = 2 + i * 6
  local id = ARGV[at + 1]
  local parentId = ARGV[at + 2]
  local siblings = childrenOf[parentId]
  if not siblings then
    return contractError('E_JOB_GRAFT', { jobId = id, parentId = parentId, reason = 'parent-order' })
  end
  siblings[#siblings + 1] = id
  childrenOf[id] = {}
  ids[#ids + 1] = id
end

if jobCount == 0 then
  return {}
end

local state = parentState == 'NEW' and 'NEW' or 'WAITING'
local ready = {}
for i = 0, jobCount - 1 do
  local at = 2 + i * 6
  local id = ARGV[at + 1]
  local nodeId = ARGV[at + 3]
  local children = childrenOf[id]
  redis.call('HSET', prefix .. 'job:' .. id, 'id', id, 'treeId', treeId, 'parentId', ARGV[at + 2],
    'nodeId', nodeId, 'type', ARGV[at + 4], 'parameters', ARGV[at + 5], 'title', ARGV[at + 6],
    'state', state, 'createdAt', createdAt, 'nChildren', #children, 'nSucceeded', 0)
  if #children > 0 then
    callChunked('RPUSH', prefix .. 'job:' .. id .. ':children', children)
  end
  if state == 'WAITING' then
    redis.call('SADD', prefix .. 'node:' .. nodeId .. ':waiting', id)
    if #children == 0 then
      ready[#ready + 1] = { jobId = id, nodeId = nodeId }
    end
  end
end
local topJobs = childrenOf[graftParentId]
if #topJobs > 0 then
  callChunked('RPUSH', prefix .. 'job:' .. graftParentId .. ':children', topJobs)
  redis.call('HINCRBY', prefix .. 'job:' .. graftParentId, 'nChildren', #topJobs)
end
callChunked('SADD', treeKey .. ':jobs', ids)
callChunked('SADD', treeKey .. ':pending', ids)

local events = { { kind = 'created', treeId = treeId, parentId = graftParentId, jobIds = ids } }
if #ready > 0 then
  events[2] = { kind = 'ready', treeId = treeId, jobs = ready }
end
publishEvents(prefix, events)
return flattenRefs(ready)

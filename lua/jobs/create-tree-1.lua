-- Creates a whole job tree in one call.
-- KEYS[1] prefix
-- ARGV: createdAt, start ('1' | '0'), tags JSON, tag count, tags..., then 6 fields per job
--       (id, parentId or '', nodeId, type, parameters JSON, title); jobs[1] is the root and
--       every job's parent comes before it.
-- Returns the ready jobs (when started) as JSON of [jobId, nodeId, ...] (none may read `{}`);
-- publishes `created`, then `ready`.
local prefix = KEYS[1]
local createdAt = ARGV[1]
local start = ARGV[2] == '1'
local tagsJson = ARGV[3]
local tagCount = tonumber(ARGV[4])
local base = 4 + tagCount
local jobCount = (#ARGV - base) / 6
local treeId = ARGV[base + 1]
local treeKey = prefix .. 'tree:' .. treeId

if redis.call('EXISTS', treeKey) == 1 or redis.call('EXISTS', prefix .. 'job:' .. treeId) == 1 then
  return contractError('E_JOB_TREE_INVALID', { jobId = treeId, reason = 'exists' })
end

local state = start and 'WAITING' or 'NEW'
local ids = {}
local childrenOf = {}
for i = 0, jobCount - 1 do
  local at = base + i * 6
  local id = ARGV[at + 1]
  local parentId = ARGV[at + 2]
  ids[#ids + 1] = id
  if parentId ~= '' then
    local siblings = childrenOf[parentId]
    if not siblings then
      siblings = {}
      childrenOf[parentId] = siblings
    end
    siblings[#siblings + 1] = id
  end
end

local ready = {}
local waitingByNode = {}
for i = 0, jobCount - 1 do
  local at = base + i * 6
  local id = ARGV[at + 1]
  local nodeId = ARGV[at + 3]
  local children = childrenOf[id]
  local childCount = children and #children or 0
  redis.call('HSET', prefix .. 'job:' .. id, 'id', id, 'treeId', treeId, 'parentId', ARGV[at + 2],
    'nodeId', nodeId, 'type', ARGV[at + 4], 'parameters', ARGV[at + 5], 'title', ARGV[at + 6],
    'state', state, 'createdAt', createdAt, 'nChildren', childCount, 'nSucceeded', 0)
  if children then
    callChunked('RPUSH', prefix .. 'job:' .. id .. ':children', children)
  end
  if start then
    local waiting = waitingByNode[nodeId]
    if not waiting then
      waiting = {}
      waitingByNode[nodeId] = waiting
    end
    waiting[#waiting + 1] = id
    if childCount == 0 then
      ready[#ready + 1] = { jobId = id, nodeId = nodeId }
    end
  end
end
for nodeId, waiting in pairs(waitingByNode) do
  callChunked('SADD', prefix .. 'node:' .. nodeId .. ':waiting', waiting)
end

redis.call('HSET', treeKey, 'createdAt', createdAt, 'aborted', '0', 'tags', tagsJson)
callChunked('SADD', treeKey .. ':jobs', ids)
callChunked('SADD', treeKey .. ':pending', ids)
redis.call('ZADD', prefix .. 'trees', createdAt, treeId)
for i = 1, tagCount do
  redis.call('ZADD', prefix .. 'tag:' .. ARGV[4 + i], createdAt, treeId)
end

local events = { { kind = 'created', treeId = treeId, parentId = cjson.null, jobIds = ids } }
if #ready > 0 then
  events[2] = { kind = 'ready', treeId = treeId, jobs = ready }
end
publishEvents(prefix, events)
return cjson.encode(flattenRefs(ready))

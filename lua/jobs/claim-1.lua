-- WAITING -> RUNNING for a ready job assigned to the calling node (O(children of the job)).
-- KEYS[1] prefix
-- ARGV: jobId, nodeId, now
-- Returns nil when the job is not claimable (not WAITING, another node's, children not all
-- SUCCESS, tree aborted); otherwise {job HGETALL, child ids, context HGETALL, {childId,
-- result JSON, ...}}. Publishes the RUNNING `state` event.
local prefix = KEYS[1]
local jobId = ARGV[1]
local nodeId = ARGV[2]
local jobKey = prefix .. 'job:' .. jobId

local job = redis.call('HMGET', jobKey, 'state', 'nodeId', 'treeId', 'parentId', 'nChildren', 'nSucceeded')
if job[1] ~= 'WAITING' or job[2] ~= nodeId or job[5] ~= job[6] then
  return nil
end
local treeId = job[3]
local treeKey = prefix .. 'tree:' .. treeId
if redis.call('HGET', treeKey, 'aborted') == '1' then
  return nil
end

redis.call('HSET', jobKey, 'state', 'RUNNING', 'startedAt', ARGV[3])
-- SREM + SADD rather than SMOVE: SMOVE adds nothing if the member was missing from the source.
redis.call('SREM', prefix .. 'node:' .. nodeId .. ':waiting', jobId)
redis.call('SADD', prefix .. 'node:' .. nodeId .. ':running', jobId)
redis.call('SREM', treeKey .. ':pending', jobId)
redis.call('SADD', treeKey .. ':running', jobId)

local childIds = redis.call('LRANGE', jobKey .. ':children', 0, -1)
local childResults = {}
for _, childId in ipairs(childIds) do
  local result = redis.call('HGET', prefix .. 'job:' .. childId, 'result')
  if result then
    childResults[#childResults + 1] = childId
    childResults[#childResults + 1] = result
  end
end

publishEvents(prefix, { stateEvent(treeId, jobId, job[4], nodeId, 'RUNNING') })
return { redis.call('HGETALL', jobKey), childIds, redis.call('HGETALL', treeKey .. ':context'), childResults }

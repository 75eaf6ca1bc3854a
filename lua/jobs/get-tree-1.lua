-- A whole tree as one consistent snapshot (read only; O(tree)).
-- KEYS[1] prefix
-- ARGV: treeId
-- Returns nil if unknown, else JSON of [tree HGETALL, context HGETALL, then per job, root first
-- and depth-first in insertion order: job fields (readJob), child ids] (an empty list may read
-- `{}`): one text for the store to parse rather than some 30 replies per job.
local prefix = KEYS[1]
local treeId = ARGV[1]
local treeKey = prefix .. 'tree:' .. treeId
local tree = redis.call('HGETALL', treeKey)
if #tree == 0 then
  return nil
end
local reply = { tree, redis.call('HGETALL', treeKey .. ':context') }
local stack = { treeId }
while #stack > 0 do
  local jobId = table.remove(stack)
  local jobKey = prefix .. 'job:' .. jobId
  local job = readJob(jobKey)
  -- Leaves (most jobs) have no children list to read: one call per job instead of two.
  local childIds = {}
  if job[F_CHILDREN] ~= '0' then
    childIds = redis.call('LRANGE', jobKey .. ':children', 0, -1)
  end
  reply[#reply + 1] = job
  reply[#reply + 1] = childIds
  for i = #childIds, 1, -1 do
    stack[#stack + 1] = childIds[i]
  end
end
return cjson.encode(reply)

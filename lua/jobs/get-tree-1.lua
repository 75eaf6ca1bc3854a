-- A whole tree as one consistent snapshot (read only; O(tree)).
-- KEYS[1] prefix
-- ARGV: treeId
-- Returns nil if unknown, else {tree HGETALL, context HGETALL, then per job, root first and
-- depth-first in insertion order: job HGETALL, child ids}.
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
  local childIds = redis.call('LRANGE', jobKey .. ':children', 0, -1)
  reply[#reply + 1] = redis.call('HGETALL', jobKey)
  reply[#reply + 1] = childIds
  for i = #childIds, 1, -1 do
    stack[#stack + 1] = childIds[i]
  end
end
return reply

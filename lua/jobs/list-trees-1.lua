-- One page of trees, newest first, from the sorted set of all trees or of one tag (read only;
-- O(log n + page)).
-- KEYS[1] prefix
-- ARGV: tag ('' for every tree), offset, limit (-1 for no limit)
-- Returns {total, then per tree: treeId, createdAt, tags JSON, root type, root title, root
-- state, root finishedAt or ''}.
local prefix = KEYS[1]
local indexKey = ARGV[1] == '' and prefix .. 'trees' or prefix .. 'tag:' .. ARGV[1]
local offset = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local reply = { redis.call('ZCARD', indexKey) }
if limit == 0 then
  return reply
end
local stop = limit < 0 and -1 or offset + limit - 1
for _, treeId in ipairs(redis.call('ZREVRANGE', indexKey, offset, stop)) do
  local tree = redis.call('HMGET', prefix .. 'tree:' .. treeId, 'createdAt', 'tags')
  local root = redis.call('HMGET', prefix .. 'job:' .. treeId, 'type', 'title', 'state', 'finishedAt')
  reply[#reply + 1] = treeId
  reply[#reply + 1] = tree[1] or '0'
  reply[#reply + 1] = tree[2] or '[]'
  reply[#reply + 1] = root[1] or ''
  reply[#reply + 1] = root[2] or ''
  reply[#reply + 1] = root[3] or 'ABORTED'
  reply[#reply + 1] = root[4] or ''
end
return reply

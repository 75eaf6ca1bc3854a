-- Deletes up to `limit` trees whose root finished before a time and that have no RUNNING job,
-- with every key and index entry of theirs (O(jobs deleted)). Called in batches so that one
-- call never blocks Redis for long.
-- KEYS[1] prefix
-- ARGV: finishedBefore, offset (trees skipped by earlier batches: they still have RUNNING jobs
--       and sort first), limit
-- Returns {trees examined, trees skipped, deleted job ids...}.
local prefix = KEYS[1]
local candidates = redis.call('ZRANGEBYSCORE', prefix .. 'finished', '-inf', '(' .. ARGV[1],
  'LIMIT', tonumber(ARGV[2]), tonumber(ARGV[3]))
local skipped = 0
local reply = { #candidates, 0 }
for _, treeId in ipairs(candidates) do
  local treeKey = prefix .. 'tree:' .. treeId
  -- Once the root finished, the tree's unfinished jobs (its pending set) are running ones.
  local running = false
  for _, jobId in ipairs(redis.call('SMEMBERS', treeKey .. ':pending')) do
    if redis.call('HGET', prefix .. 'job:' .. jobId, 'state') == 'RUNNING' then
      running = true
      break
    end
  end
  if running then
    skipped = skipped + 1
  else
    for _, jobId in ipairs(redis.call('SMEMBERS', treeKey .. ':jobs')) do
      redis.call('DEL', prefix .. 'job:' .. jobId, prefix .. 'job:' .. jobId .. ':children')
      reply[#reply + 1] = jobId
    end
    local tags = redis.call('HGET', treeKey, 'tags')
    if tags then
      for _, tag in ipairs(cjson.decode(tags)) do
        redis.call('ZREM', prefix .. 'tag:' .. tag, treeId)
      end
    end
    redis.call('ZREM', prefix .. 'trees', treeId)
    redis.call('ZREM', prefix .. 'finished', treeId)
    redis.call('DEL', treeKey, treeKey .. ':context', treeKey .. ':jobs', treeKey .. ':running',
      treeKey .. ':pending')
  end
end
reply[2] = skipped
return reply

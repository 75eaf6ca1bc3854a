-- The minimal engine's completion: SUCCESS, and the parent made ready when it was the last child.
-- KEYS[1] prefix; ARGV[1] job id. Returns 1 when the job was a root, else 0.
local prefix = KEYS[1]
local id = ARGV[1]
redis.call('HDEL', prefix .. 'running', id)
redis.call('HSET', prefix .. 'job:' .. id, 'state', 'SUCCESS')
local parent = redis.call('HGET', prefix .. 'job:' .. id, 'parent')
if not parent or parent == '' then
  return 1
end
if redis.call('HINCRBY', prefix .. 'job:' .. parent, 'pending', -1) == 0 then
  redis.call('HSET', prefix .. 'job:' .. parent, 'state', 'READY')
  redis.call('LPUSH', prefix .. 'ready', parent)
end
return 0

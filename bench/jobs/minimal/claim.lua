-- The minimal engine's claim: the next ready job, marked RUNNING by this node.
-- KEYS[1] prefix; ARGV[1] node id. Returns the job id or nil.
local id = redis.call('RPOP', KEYS[1] .. 'ready')
if not id then
  return nil
end
redis.call('HSET', KEYS[1] .. 'job:' .. id, 'state', 'RUNNING')
redis.call('HSET', KEYS[1] .. 'running', id, ARGV[1])
return id

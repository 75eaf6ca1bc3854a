-- Ids of a node's WAITING jobs whose children all succeeded, in trees not aborted (read only;
-- O(WAITING jobs of the node)).
-- KEYS[1] prefix
-- ARGV: nodeId
local prefix = KEYS[1]
local ready = {}
for _, jobId in ipairs(redis.call('SMEMBERS', prefix .. 'node:' .. ARGV[1] .. ':waiting')) do
  local job = redis.call('HMGET', prefix .. 'job:' .. jobId, 'state', 'nChildren', 'nSucceeded', 'treeId')
  if job[1] == 'WAITING' and job[2] == job[3]
    and redis.call('HGET', prefix .. 'tree:' .. job[4], 'aborted') ~= '1' then
    ready[#ready + 1] = jobId
  end
end
return ready

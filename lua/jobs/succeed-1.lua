-- RUNNING -> SUCCESS for one job (see succeedJob in the helpers).
-- KEYS[1] prefix
-- ARGV: jobId, now, summary, abort summary, has result ('1' | '0'), result JSON, node to claim
--       a ready parent for ('' for none), then context pairs (key, value JSON, ...)
-- Returns {0} when nothing was recorded (not RUNNING, or aborted instead), {1} when it
-- succeeded, {1, parentId, parentNodeId} when that made its parent ready, and
-- {1, parentId, parentNodeId, claim reply} when the parent was also claimed (it belongs to the
-- node named in ARGV[7]): one round trip instead of two for every parent.
local prefix = KEYS[1]
local contextPairs = {}
for i = 8, #ARGV do
  contextPairs[#contextPairs + 1] = ARGV[i]
end
local result = nil
if ARGV[5] == '1' then
  result = ARGV[6]
end
local events = {}
local recorded, parentId, parentNodeId, claimed =
  succeedJob(prefix, ARGV[1], ARGV[2], ARGV[3], ARGV[4], result, contextPairs, ARGV[7], ARGV[7] ~= '', events)
flushSetWrites()
publishEvents(prefix, events)
if parentId == '' then
  return { recorded }
end
if claimed then
  return { recorded, parentId, parentNodeId, claimed }
end
return { recorded, parentId, parentNodeId }

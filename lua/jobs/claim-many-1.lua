-- WAITING -> RUNNING for several ready jobs of the calling node (see claimJob in the helpers).
-- KEYS[1] prefix
-- ARGV: nodeId, now, then job ids
-- Returns the claim replies of the jobs claimed, in the order given. Publishes their RUNNING
-- `state` events as one message.
local prefix = KEYS[1]
local events = {}
local claimed = {}
for i = 3, #ARGV do
  local reply = claimJob(prefix, ARGV[i], ARGV[1], ARGV[2], events)
  if reply then
    claimed[#claimed + 1] = reply
  end
end
flushSetWrites()
publishEvents(prefix, events)
return claimed

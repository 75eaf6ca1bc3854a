-- WAITING -> RUNNING for a ready job assigned to the calling node (see claimJob in the helpers).
-- KEYS[1] prefix
-- ARGV: jobId, nodeId, now
-- Returns nil when the job is not claimable; otherwise the claim reply (JSON, see claimJob). Publishes the RUNNING `state` event.
local prefix = KEYS[1]
local events = {}
local claimed = claimJob(prefix, ARGV[1], ARGV[2], ARGV[3], events)
flushSetWrites()
publishEvents(prefix, events)
return claimed

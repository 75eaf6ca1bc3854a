-- RUNNING -> SUCCESS for several jobs, then claims for the calling node the parents this made
-- ready there and jobs it names, within a budget (see succeedJob and claimJob in the helpers).
-- KEYS[1] prefix
-- ARGV: now, abort summary, node to claim for ('' for none), most claims ('' for no limit),
--       number of successes, then per success: jobId, summary, has result ('1' | '0'), result
--       JSON, number of context pairs, the pairs (key, value JSON, ...); then ids to claim next.
-- Returns { results, claimed }: results are {recorded, parentId or '', parent node or ''} per
-- success in order (the parent only when it was made ready but not claimed here); claimed are
-- claim replies, parents first. Publishes all events as one message.
local prefix = KEYS[1]
local now = ARGV[1]
local abortSummary = ARGV[2]
local claimFor = ARGV[3]
local budget = tonumber(ARGV[4]) or math.huge
local events = {}
local results = {}
local claimed = {}

local i = 6
for _ = 1, tonumber(ARGV[5]) do
  local jobId, summary = ARGV[i], ARGV[i + 1]
  local result = nil
  if ARGV[i + 2] == '1' then
    result = ARGV[i + 3]
  end
  local nPairs = tonumber(ARGV[i + 4])
  local contextPairs = {}
  for k = i + 5, i + 4 + nPairs do
    contextPairs[#contextPairs + 1] = ARGV[k]
  end
  i = i + 5 + nPairs
  local mayClaim = claimFor ~= '' and #claimed < budget
  local recorded, parentId, parentNodeId, claim =
    succeedJob(prefix, jobId, now, summary, abortSummary, result, contextPairs, claimFor, mayClaim, events)
  if claim then
    claimed[#claimed + 1] = claim
    results[#results + 1] = { recorded, '', '' }
  else
    results[#results + 1] = { recorded, parentId, parentNodeId }
  end
end

if claimFor ~= '' then
  while i <= #ARGV and #claimed < budget do
    local claim = claimJob(prefix, ARGV[i], claimFor, now, events)
    if claim then
      claimed[#claimed + 1] = claim
    end
    i = i + 1
  end
end
flushSetWrites()
publishEvents(prefix, events)
return { results, claimed }

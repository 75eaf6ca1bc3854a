-- Helpers shared by the job store's writing scripts; redis-job-scripts.ts prepends this file to
-- each of them (like BullMQ's includes), so everything here must stay `local`.
--
-- Single-Redis design: scripts receive the store's key prefix as KEYS[1] and build every other
-- key from it and from ids read inside the script. That is not Redis Cluster hash-slot safe
-- (a cluster would need every key declared); a cluster is not a goal of this store.
--
-- Key layout (P = prefix, e.g. "pm:jobs:"): see packages/core/src/jobs/redis/redis-job-keys.ts.

local FINISHED = { SUCCESS = true, FAILED = true, ABORTED = true }

-- Largest number of arguments passed to one variadic command through unpack().
local CHUNK = 1000

-- Runs `command key v1 v2 ...` for `values`, in chunks so unpack() never overflows the stack.
local function callChunked(command, key, values)
  local n = #values
  local i = 1
  while i <= n do
    local last = math.min(i + CHUNK - 1, n)
    redis.call(command, key, unpack(values, i, last))
    i = last + 1
  end
end

-- Per script call (the helpers run afresh with every call): whether a tree is aborted and its
-- context (HGETALL), by tree key, and a waiting parent's {state, nChildren, nodeId}, by job id. A batch of jobs of one tree
-- (one parent) then reads them once, not once per job; nothing else runs during a script, and
-- the writes below that change them keep them up to date.
local abortedTrees = {}
local waitingParents = {}
local treeContexts = {}

-- Set writes of claims and successes, made once per set at the end of the script call
-- (flushSetWrites) rather than once per job: {command, key, members} in first-use order. Only
-- claimJob and succeedJob defer; no script reads those sets after them.
local setWrites = {}
local setWritesByKey = {}

local function deferSetWrite(command, key, member)
  local id = command .. ' ' .. key
  local write = setWritesByKey[id]
  if not write then
    write = { command, key, {} }
    setWritesByKey[id] = write
    setWrites[#setWrites + 1] = write
  end
  write[3][#write[3] + 1] = member
end

local function isTreeAborted(treeKey)
  local aborted = abortedTrees[treeKey]
  if aborted == nil then
    aborted = redis.call('HGET', treeKey, 'aborted') == '1'
    abortedTrees[treeKey] = aborted
  end
  return aborted
end

-- A `state` event; `parentId` is stored as '' for roots and published as null.
local function stateEvent(treeId, jobId, parentId, nodeId, state, summary)
  local event = { kind = 'state', treeId = treeId, jobId = jobId, nodeId = nodeId, state = state, summary = summary }
  if parentId == '' or parentId == nil then
    event.parentId = cjson.null
  else
    event.parentId = parentId
  end
  return event
end

-- Makes the set writes deferred by claims and successes, removals first (a job is never added
-- and removed in one call), one command per set.
local function flushSetWrites()
  for _, command in ipairs({ 'SREM', 'SADD' }) do
    for _, write in ipairs(setWrites) do
      if write[1] == command then
        callChunked(command, write[2], write[3])
      end
    end
  end
  setWrites = {}
  setWritesByKey = {}
end

-- Publishes the events of one script call, each set as one message (a JSON array): its tree
-- events (all but the state changes of non-root jobs, which is what engines listen to) on
-- `events:tree`, and all of them on `events` while anyone listens there. Most calls change the
-- state of a few jobs and nothing else: without a listener for those, nothing is encoded.
local function publishEvents(prefix, events)
  if #events == 0 then
    return
  end
  local treeEvents = {}
  for _, event in ipairs(events) do
    if event.kind ~= 'state' or event.parentId == cjson.null then
      treeEvents[#treeEvents + 1] = event
    end
  end
  if #treeEvents > 0 then
    redis.call('PUBLISH', prefix .. 'events:tree', cjson.encode(treeEvents))
  end
  local channel = prefix .. 'events'
  if redis.call('PUBSUB', 'NUMSUB', channel)[2] > 0 then
    redis.call('PUBLISH', channel, cjson.encode(events))
  end
end

-- A job reached a final state: record it, and record the tree's end when the job is its root.
local function finishJob(prefix, jobId, treeId, state, summary, now)
  redis.call('HSET', prefix .. 'job:' .. jobId, 'state', state, 'summary', summary, 'finishedAt', now)
  waitingParents[jobId] = nil
  if jobId == treeId then
    redis.call('ZADD', prefix .. 'finished', now, treeId)
  end
end

-- Ends a RUNNING job (SUCCESS, FAILED or ABORTED): removes it from its node's running set and
-- its tree's unfinished set (`tree:<id>:pending` holds every job not finished, running or not:
-- a claim then changes no set of the tree).
local function finishRunningJob(prefix, jobId, treeId, nodeId, state, summary, now)
  finishJob(prefix, jobId, treeId, state, summary, now)
  redis.call('SREM', prefix .. 'node:' .. nodeId .. ':running', jobId)
  redis.call('SREM', prefix .. 'tree:' .. treeId .. ':pending', jobId)
end

-- Marks the tree aborted and every NEW or WAITING job of it ABORTED (O(pending jobs)), adding
-- their state events to `events`. Returns the RUNNING jobs as {jobId, nodeId} refs and whether
-- the tree was already aborted before.
local function abortTreeJobs(prefix, treeId, summary, now, events)
  local treeKey = prefix .. 'tree:' .. treeId
  local wasAborted = redis.call('HGET', treeKey, 'aborted') == '1'
  redis.call('HSET', treeKey, 'aborted', '1')
  abortedTrees[treeKey] = true
  local pendingKey = treeKey .. ':pending'
  local running = {}
  local stillRunning = {}
  for _, jobId in ipairs(redis.call('SMEMBERS', pendingKey)) do
    local job = redis.call('HMGET', prefix .. 'job:' .. jobId, 'state', 'nodeId', 'parentId')
    if job[1] == 'NEW' or job[1] == 'WAITING' then
      finishJob(prefix, jobId, treeId, 'ABORTED', summary, now)
      if job[1] == 'WAITING' then
        redis.call('SREM', prefix .. 'node:' .. job[2] .. ':waiting', jobId)
      end
      events[#events + 1] = stateEvent(treeId, jobId, job[3], job[2], 'ABORTED', summary)
    elseif job[1] == 'RUNNING' then
      running[#running + 1] = { jobId = jobId, nodeId = job[2] }
      stillRunning[#stillRunning + 1] = jobId
    end
  end
  -- What is left unfinished: the running jobs.
  redis.call('DEL', pendingKey)
  if #stillRunning > 0 then
    callChunked('SADD', pendingKey, stillRunning)
  end
  return running, wasAborted
end

-- Every job RUNNING on `nodeId` becomes FAILED with `summary` (O(running jobs of the node)),
-- adding the state events to `events` and each tree not yet in `seen` to `treeIds`; the caller
-- then aborts those trees with abortLapsedTrees. Shared by restart recovery and lapsed leases.
local function failRunningJobsOfNode(prefix, nodeId, summary, now, events, treeIds, seen)
  local runningKey = prefix .. 'node:' .. nodeId .. ':running'
  for _, jobId in ipairs(redis.call('SMEMBERS', runningKey)) do
    local job = redis.call('HMGET', prefix .. 'job:' .. jobId, 'state', 'treeId', 'parentId')
    local treeId = job[2]
    if job[1] == 'RUNNING' then
      finishRunningJob(prefix, jobId, treeId, nodeId, 'FAILED', summary, now)
      events[#events + 1] = stateEvent(treeId, jobId, job[3], nodeId, 'FAILED', summary)
    end
    if treeId and not seen[treeId] then
      seen[treeId] = true
      treeIds[#treeIds + 1] = treeId
    end
  end
  redis.call('DEL', runningKey)
end

-- Aborts the trees of jobs failed by failRunningJobsOfNode, adding one `aborted` event per tree
-- that was not aborted before.
local function abortTreesOfFailedJobs(prefix, treeIds, abortSummary, now, events)
  for _, treeId in ipairs(treeIds) do
    local running, wasAborted = abortTreeJobs(prefix, treeId, abortSummary, now, events)
    if not wasAborted then
      events[#events + 1] = { kind = 'aborted', treeId = treeId, summary = abortSummary, running = running }
    end
  end
end

-- The fields of a job hash that the store reads, in the order of its positional replies (see
-- jobFields in redis-job-records.ts); HMGET reads a missing field as false.
local JOB_FIELDS = { 'id', 'treeId', 'parentId', 'nodeId', 'type', 'parameters', 'title', 'state', 'createdAt',
  'summary', 'result', 'startedAt', 'finishedAt', 'nChildren', 'nSucceeded' }
local F_TREE, F_PARENT, F_NODE, F_STATE, F_STARTED, F_CHILDREN, F_SUCCEEDED = 2, 3, 4, 8, 12, 14, 15

-- A job's fields in JOB_FIELDS order: named fields would double the strings to convert and encode.
local function readJob(jobKey)
  return redis.call('HMGET', jobKey, unpack(JOB_FIELDS))
end

-- WAITING -> RUNNING for a ready job assigned to `nodeId` (O(children of the job)), adding its
-- RUNNING state event to `events`. Returns nil when the job is not claimable (not WAITING,
-- another node's, children not all SUCCESS, tree aborted); otherwise the claim reply, as
-- JSON: [job fields (readJob), child ids, context HGETALL, [childId, result JSON, ...]] (an empty
-- list may read `{}`). One string rather than nested replies: the store parses one JSON text per
-- claim instead of some 40 strings.
local function claimJob(prefix, jobId, nodeId, now, events)
  local jobKey = prefix .. 'job:' .. jobId
  -- One read serves both the checks and the reply.
  local job = readJob(jobKey)
  if job[F_STATE] ~= 'WAITING' or job[F_NODE] ~= nodeId or job[F_CHILDREN] ~= job[F_SUCCEEDED] then
    return nil
  end
  local treeId = job[F_TREE]
  local treeKey = prefix .. 'tree:' .. treeId
  if isTreeAborted(treeKey) then
    return nil
  end

  redis.call('HSET', jobKey, 'state', 'RUNNING', 'startedAt', now)
  waitingParents[jobId] = nil
  job[F_STATE] = 'RUNNING'
  job[F_STARTED] = now
  -- SREM + SADD rather than SMOVE: SMOVE adds nothing if the member was missing from the source.
  deferSetWrite('SREM', prefix .. 'node:' .. nodeId .. ':waiting', jobId)
  deferSetWrite('SADD', prefix .. 'node:' .. nodeId .. ':running', jobId)

  local childIds = {}
  if job[F_CHILDREN] ~= '0' then
    childIds = redis.call('LRANGE', jobKey .. ':children', 0, -1)
  end
  local childResults = {}
  for _, childId in ipairs(childIds) do
    local result = redis.call('HGET', prefix .. 'job:' .. childId, 'result')
    if result then
      childResults[#childResults + 1] = childId
      childResults[#childResults + 1] = result
    end
  end

  events[#events + 1] = stateEvent(treeId, jobId, job[F_PARENT], nodeId, 'RUNNING')
  local context = treeContexts[treeKey]
  if not context then
    context = redis.call('HGETALL', treeKey .. ':context')
    treeContexts[treeKey] = context
  end
  return cjson.encode({ job, childIds, context, childResults })
end

-- RUNNING -> SUCCESS for one job, merging `contextPairs` (key, value JSON, ...) into the tree's
-- context first; RUNNING -> ABORTED instead when its tree was aborted meanwhile. When that makes
-- the parent ready: if the parent belongs to `claimFor` and `mayClaim` is true, it is claimed
-- too; otherwise a `ready` event is added. Adds every event to `events`. Returns
-- recorded (0 | 1), parentId or '' (a ready parent), its node or '', and the claim reply or nil.
local function succeedJob(prefix, jobId, now, summary, abortSummary, result, contextPairs, claimFor, mayClaim, events)
  local jobKey = prefix .. 'job:' .. jobId
  local job = redis.call('HMGET', jobKey, 'state', 'treeId', 'parentId', 'nodeId')
  if job[1] ~= 'RUNNING' then
    return 0, '', '', nil
  end
  local treeId = job[2]
  local parentId = job[3]
  local nodeId = job[4]
  local treeKey = prefix .. 'tree:' .. treeId

  if isTreeAborted(treeKey) then
    finishRunningJob(prefix, jobId, treeId, nodeId, 'ABORTED', abortSummary, now)
    events[#events + 1] = stateEvent(treeId, jobId, parentId, nodeId, 'ABORTED', abortSummary)
    return 0, '', '', nil
  end

  if #contextPairs > 0 then
    callChunked('HSET', treeKey .. ':context', contextPairs)
    treeContexts[treeKey] = nil
  end
  if result then
    redis.call('HSET', jobKey, 'result', result)
  end
  finishJob(prefix, jobId, treeId, 'SUCCESS', summary, now)
  deferSetWrite('SREM', prefix .. 'node:' .. nodeId .. ':running', jobId)
  deferSetWrite('SREM', treeKey .. ':pending', jobId)
  events[#events + 1] = stateEvent(treeId, jobId, parentId, nodeId, 'SUCCESS', summary)

  if parentId == '' then
    return 1, '', '', nil
  end
  local parentKey = prefix .. 'job:' .. parentId
  local succeeded = redis.call('HINCRBY', parentKey, 'nSucceeded', 1)
  local parent = waitingParents[parentId]
  if not parent then
    parent = redis.call('HMGET', parentKey, 'state', 'nChildren', 'nodeId')
    waitingParents[parentId] = parent
  end
  if parent[1] ~= 'WAITING' or tonumber(parent[2]) ~= succeeded then
    return 1, '', '', nil
  end
  if mayClaim and parent[3] == claimFor then
    local claimed = claimJob(prefix, parentId, parent[3], now, events)
    if claimed then
      return 1, parentId, parent[3], claimed
    end
  end
  events[#events + 1] = { kind = 'ready', treeId = treeId, jobs = { { jobId = parentId, nodeId = parent[3] } } }
  return 1, parentId, parent[3], nil
end

-- Flattens {jobId, nodeId} refs into a reply: {jobId1, nodeId1, jobId2, nodeId2, ...}.
local function flattenRefs(refs)
  local flat = {}
  for _, ref in ipairs(refs) do
    flat[#flat + 1] = ref.jobId
    flat[#flat + 1] = ref.nodeId
  end
  return flat
end

-- A contract violation, as an error reply "<code> <json details>" that the store maps to a
-- PaasmakerError with the same code.
local function contractError(code, details)
  return redis.error_reply(code .. ' ' .. cjson.encode(details))
end

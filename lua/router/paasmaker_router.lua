-- The nginx router: routes requests by Host to a random instance of the routing table that the
-- pacemaker publishes in Redis (see packages/core/docs/router.md, "nginx router").
--
-- The table is one Redis string, `<prefix>table`, read whole by each worker when `<prefix>serial`
-- rises above the serial it holds (checked every `refresh` seconds), so a request never waits on
-- Redis. A lower serial (Redis restored from an older snapshot) or a missing one (Redis restarted
-- empty) never replaces the table a worker holds; a worker nginx respawns starts from the table
-- the others hold (shared memory), not from Redis. Its format, one hostname per line:
--   <hostname>\t<instanceId> <host> <port> <versionTypeKey> <nodeId>\t...
-- Each worker reports the serial it holds (0 before its first) in the hash `<prefix>loaded`, field
-- `<name>/<pid>`, value `<serial> <ngx.now()>`, at start, at once after a load and every second,
-- so the pacemaker can wait until every router serves a change (and tell a live worker from a gone
-- one by the value moving).
-- Stats are counted in each worker's memory and added to Redis hashes `<prefix>stats:<kind>:<key>`
-- (`vt:<versionTypeKey>`, `node:<nodeId>`, `instance:<instanceId>`, and `uncaught` for the
-- answers no instance was picked for: 400, 404, 500, 503) every second, never one write per request.
local balancer = require "ngx.balancer"
local redis = require "nginx.redis"

local _M = {}

local settings = {
  redis_host = "127.0.0.1", redis_port = 6379, redis_db = 0, prefix = "pm:router:", refresh = 0.2, dead_seconds = 2,
  name = "router",
}
local hosts = {}
-- The serial of the table this worker holds (a number, and Redis's text of it); nil before the first.
local serial = nil
local serial_text = nil

local function parse_table(text)
  local parsed = {}
  for line in string.gmatch(text, "[^\n]+") do
    local fields = {}
    for field in string.gmatch(line, "[^\t]+") do fields[#fields + 1] = field end
    local routes = {}
    for i = 2, #fields do
      local id, host, port, type_key, node = string.match(fields[i], "^(%S+) (%S+) (%d+) (%S+) (%S+)$")
      if id then
        routes[#routes + 1] = {
          id = id, host = host, port = tonumber(port),
          stats = { "vt:" .. type_key, "node:" .. node, "instance:" .. id },
        }
      end
    end
    if fields[1] then parsed[fields[1]] = routes end
  end
  return parsed
end

local function with_redis(work)
  local red = redis:new()
  red:set_timeout(1000)
  local ok, err = red:connect(settings.redis_host, settings.redis_port)
  if not ok then return nil, err end
  -- A pooled connection has its database selected already.
  if settings.redis_db ~= 0 and (red:get_reused_times() or 0) == 0 then
    ok, err = red:select(settings.redis_db)
    if not ok then
      red:close()
      return nil, err
    end
  end
  local result, werr = work(red)
  if result ~= nil then red:set_keepalive(10000, 4) else red:close() end
  return result, werr
end

-- A worker with no table yet reports serial 0, so the pacemaker waits for it to load one too.
local function report_loaded(red)
  local ok, err = red:hset(settings.prefix .. "loaded", settings.name .. "/" .. ngx.worker.pid(),
    (serial_text or "0") .. " " .. ngx.now())
  if not ok then return nil, err end
  return true
end

-- The last table loaded by any worker of this nginx, as `<serial>\n<table>` in the shared dict
-- `paasmaker_table`: a worker nginx respawns starts from it, so it serves at once even while
-- Redis is away, empty or older. Kept only when newer than what the dict holds.
local function share(number, current, text)
  local dict = ngx.shared.paasmaker_table
  local held = dict:get("table")
  if held ~= nil and (tonumber(string.match(held, "^(%d+)\n")) or 0) >= number then return end
  local ok, err = dict:set("table", current .. "\n" .. text)
  if not ok then ngx.log(ngx.WARN, "paasmaker router: cannot keep the table in shared memory: ", err) end
end

local function take_shared()
  local held = ngx.shared.paasmaker_table:get("table")
  if held == nil then return end
  local current, text = string.match(held, "^(%d+)\n(.*)$")
  if current == nil then return end
  hosts = parse_table(text)
  serial, serial_text = tonumber(current), current
end

local function refresh(premature)
  if premature then return end
  local _, err = with_redis(function(red)
    local current = red:get(settings.prefix .. "serial")
    local number = current ~= ngx.null and tonumber(current) or nil
    -- Missing (an empty Redis), the same, or older (an older snapshot): keep the table held.
    if number == nil or (serial ~= nil and number <= serial) then return true end
    local text = red:get(settings.prefix .. "table")
    if text == nil then return nil, "cannot read the table" end
    if text == ngx.null then return true end
    -- Another load (a timer, a request) may have taken a newer table while this one waited.
    if serial ~= nil and number <= serial then return true end
    hosts = parse_table(text)
    serial, serial_text = number, current
    share(number, current, text)
    return report_loaded(red)
  end)
  if err then ngx.log(ngx.WARN, "paasmaker router: cannot refresh the routing table: ", err) end
end

-- Every second, so the pacemaker sees this worker is alive (the value moves) and, after Redis lost
-- the hash, which serial it holds.
local function heartbeat(premature)
  if premature then return end
  local _, err = with_redis(report_loaded)
  if err then ngx.log(ngx.WARN, "paasmaker router: cannot report the loaded serial: ", err) end
end

-- Counters of this worker since its last flush: stats key -> { requests, bytes, time_ms, [1..5] = status classes }.
local counters = {}
local FIELDS = { "1xx", "2xx", "3xx", "4xx", "5xx" }

local function flush_stats(premature)
  if next(counters) == nil then return end
  local batch = counters
  counters = {}
  local ok = with_redis(function(red)
    red:init_pipeline()
    for key, c in pairs(batch) do
      local hash = settings.prefix .. "stats:" .. key
      red:hincrby(hash, "requests", c.requests)
      red:hincrby(hash, "bytes", c.bytes)
      red:hincrby(hash, "time_ms", c.time_ms)
      for class = 1, 5 do
        if c[class] > 0 then red:hincrby(hash, FIELDS[class], c[class]) end
      end
    end
    local results, err = red:commit_pipeline()
    if not results then return nil, err end
    return true
  end)
  if ok or premature then return end
  -- Not written: the counts go back, to be sent with the next batch.
  for key, c in pairs(batch) do
    local into = counters[key]
    if into == nil then
      counters[key] = c
    else
      into.requests = into.requests + c.requests
      into.bytes = into.bytes + c.bytes
      into.time_ms = into.time_ms + c.time_ms
      for class = 1, 5 do into[class] = into[class] + c[class] end
    end
  end
end

-- init_worker_by_lua: take the table another worker loaded (a respawned worker), read Redis's now
-- and keep it fresh; flush stats every second.
function _M.init_worker(options)
  for key, value in pairs(options or {}) do settings[key] = value end
  take_shared()
  ngx.timer.at(0, refresh)
  ngx.timer.at(0, heartbeat)
  ngx.timer.every(settings.refresh, refresh)
  ngx.timer.every(1, flush_stats)
  ngx.timer.every(1, heartbeat)
end

local function lookup(hostname)
  local routes = hosts[hostname]
  if routes then return routes end
  local parent = string.match(hostname, "^[^.]+%.(.+)$")
  if parent then return hosts["*." .. parent] end
  return nil
end

local function is_dead(route)
  return ngx.shared.paasmaker_dead:get(route.host .. ":" .. route.port) ~= nil
end

-- A random route among those not tried yet, preferring ones not marked dead.
local function pick(routes, tried)
  local alive, any = {}, {}
  for _, route in ipairs(routes) do
    if not tried[route.id] then
      any[#any + 1] = route
      if not is_dead(route) then alive[#alive + 1] = route end
    end
  end
  local pool = #alive > 0 and alive or any
  if #pool == 0 then return nil end
  return pool[math.random(#pool)]
end

-- When a worker without a table last failed to load one for a request (ngx.now()).
local request_load_failed_at = 0

-- access_by_lua: 500 when the worker has no table at all (as the original did), 400 without a
-- Host header, 404 for an unknown hostname, 503 when it has no instances; otherwise remembers the
-- routes for the balancer. A worker that has just started (nginx restarted) loads the table for
-- the request rather than answer 500 before its first timer ran; after a failed load, requests do
-- not wait on Redis again for a refresh period.
function _M.route()
  if serial == nil and ngx.now() - request_load_failed_at >= settings.refresh then
    refresh(false)
    if serial == nil then request_load_failed_at = ngx.now() end
  end
  if serial == nil then return ngx.exit(500) end
  local header = ngx.var.http_host
  if header == nil or header == "" then return ngx.exit(400) end
  -- Most Host headers are a table key as they are; only the others are normalised.
  local routes = hosts[header]
  if routes == nil then
    local hostname = string.gsub(string.lower(header), ":%d+$", "")
    routes = lookup((string.gsub(hostname, "%.$", "")))
  end
  if routes == nil then return ngx.exit(404) end
  if #routes == 0 then return ngx.exit(503) end
  ngx.ctx.paasmaker = { routes = routes, tried = {}, tries = 0 }
end

-- balancer_by_lua: the first pick, then another instance after a failed connection (that one is
-- marked dead for a moment).
function _M.balance()
  local state = ngx.ctx.paasmaker
  if state.current then
    state.tried[state.current.id] = true
    ngx.shared.paasmaker_dead:set(state.current.host .. ":" .. state.current.port, true, settings.dead_seconds)
  end
  local route = pick(state.routes, state.tried)
  if route == nil then return ngx.exit(502) end
  state.current = route
  state.tries = state.tries + 1
  if state.tries == 1 and #state.routes > 1 then balancer.set_more_tries(#state.routes - 1) end
  local ok, err = balancer.set_current_peer(route.host, route.port)
  if not ok then ngx.log(ngx.ERR, "paasmaker router: cannot use ", route.host, ":", route.port, ": ", err) end
end

local UNCAUGHT = { "uncaught" }

-- log_by_lua: counts the request against its version type, node and instance (or `uncaught`, not
-- timed, when no instance was picked), in this worker's memory (no lock, no Redis); a timer adds
-- the counts to Redis every second.
function _M.log()
  local state = ngx.ctx.paasmaker
  local current = state and state.current
  local class = math.floor(ngx.status / 100)
  if class < 1 or class > 5 then class = 5 end
  local bytes = tonumber(ngx.var.bytes_sent) or 0
  local ms = current and math.floor((ngx.now() - ngx.req.start_time()) * 1000) or 0
  for _, key in ipairs(current and current.stats or UNCAUGHT) do
    local c = counters[key]
    if c == nil then
      c = { requests = 0, bytes = 0, time_ms = 0, 0, 0, 0, 0, 0 }
      counters[key] = c
    end
    c.requests = c.requests + 1
    c.bytes = c.bytes + bytes
    c.time_ms = c.time_ms + ms
    c[class] = c[class] + 1
  end
end

return _M

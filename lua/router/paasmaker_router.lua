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
-- Stats are counted in each worker's memory and added to Redis every second, never one write per
-- request, in the layout RedisRouterStatsStore reads (packages/core/docs/router.md, "Stats"): one
-- hash per minute and kind, `<prefix>stats:<minute since the epoch>:<vt|node|instance|uncaught>`,
-- field `<key> <counter>`, expiring a day and an hour later. `uncaught` (key `all`) counts the
-- answers no instance was picked for: 400, 404, 500, 503.
--
-- The hot path is two Lua entries per request, neither allocating: `balance` (balancer_by_lua)
-- looks the Host up and picks the peer; `log` (log_by_lua) counts the answer. Everything else (no
-- table yet, no Host, unknown host, no instances, every instance refused) fails the balancer,
-- which nginx's `error_page` sends to `answer` (content_by_lua) to choose the status.
local balancer = require "ngx.balancer"
local base = require "resty.core.base"
local ffi = require "ffi"
local redis = require "nginx.redis"

local get_request = base.get_request
local cast = ffi.cast
local uintptr_t = ffi.typeof("uintptr_t")
local set_current_peer = balancer.set_current_peer
local set_more_tries = balancer.set_more_tries
local var = ngx.var
local floor = math.floor
local random = math.random
local now = ngx.now
local start_time = ngx.req.start_time

local _M = {}

local settings = {
  redis_host = "127.0.0.1", redis_port = 6379, redis_db = 0, prefix = "pm:router:", refresh = 0.2, dead_seconds = 2,
  name = "router",
}
-- The table this worker holds: `lines` has the rest of each hostname's line as read, parsed into
-- `hosts` at the hostname's first request after a load, so loading 100,000 hostnames blocks the
-- worker for a split of the lines only.
local lines = {}
local hosts = {}
-- The serial of the table this worker holds (a number, and Redis's text of it); nil before the first.
local serial = nil
local serial_text = nil
local dead = nil

-- Counters, `{ requests, bytes, time, timeCount, 1xx, 2xx, 3xx, 4xx, 5xx, noRoute, noBackend }`
-- (FIELDS): one per route of the table, made at its first request; `active` lists those counted
-- since the last flush (a route of a table replaced meanwhile included, so a reload loses no count).
local N = 11
local active = {}
local uncaught = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
-- Requests `answer` gave a 502 after an instance was picked (none answered), by request address.
local made = {}

local function parse_routes(rest)
  local routes = {}
  for field in string.gmatch(rest, "[^\t]+") do
    local id, host, port, type_key, node = string.match(field, "^(%S+) (%S+) (%d+) (%S+) (%S+)$")
    if id then
      routes[#routes + 1] = {
        id = id, host = host, port = tonumber(port), addr = host .. ":" .. port,
        type_key = type_key, node = node, c = false,
      }
    end
  end
  return routes
end

local function take_table(text)
  local parsed = {}
  for hostname, rest in string.gmatch(text, "([^\t\n]+)([^\n]*)") do parsed[hostname] = rest end
  lines, hosts = parsed, {}
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
  take_table(text)
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
    take_table(text)
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

local FIELDS = { "requests", "bytes", "time", "timeCount", "1xx", "2xx", "3xx", "4xx", "5xx", "noRoute", "noBackend" }
local KINDS = { "vt", "node", "instance", "uncaught" }
-- A minute hash outlives the API's 24 hours of history by an hour.
local STATS_TTL = 25 * 3600
local function empty_batch() return { vt = {}, node = {}, instance = {}, uncaught = {} } end
-- Counts taken from the counters but not yet written (Redis was away), added at the next flush:
-- kind -> key -> counters.
local unsent = empty_batch()
local unsent_any = false

local function add(batch, kind, key, c)
  local into = batch[kind][key]
  if into == nil then
    into = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
    batch[kind][key] = into
  end
  for i = 1, N do into[i] = into[i] + c[i] end
end

-- Takes the counts since the last flush (zeroing the counters in place) into one batch per kind
-- and key, then adds them to the current minute's hashes in one pipeline; a batch that could not
-- be written is kept for the next flush.
local function flush_stats(premature)
  local batch, any = unsent, unsent_any
  unsent, unsent_any = empty_batch(), false
  local taken = active
  active = {}
  for _, c in ipairs(taken) do
    add(batch, "instance", c.id, c)
    add(batch, "vt", c.type_key, c)
    add(batch, "node", c.node, c)
    for i = 1, N do c[i] = 0 end
    any = true
  end
  if uncaught[1] > 0 then
    add(batch, "uncaught", "all", uncaught)
    for i = 1, N do uncaught[i] = 0 end
    any = true
  end
  if not any then return end
  local minute = floor(ngx.now() / 60)
  local ok = with_redis(function(red)
    red:init_pipeline()
    for _, kind in ipairs(KINDS) do
      local hash = nil
      for key, c in pairs(batch[kind]) do
        hash = hash or (settings.prefix .. "stats:" .. minute .. ":" .. kind)
        for i = 1, N do
          if i == 1 or c[i] > 0 then red:hincrby(hash, key .. " " .. FIELDS[i], c[i]) end
        end
      end
      if hash then red:expire(hash, STATS_TTL) end
    end
    local results, err = red:commit_pipeline()
    if not results then return nil, err end
    return true
  end)
  if ok or premature then return end
  for _, kind in ipairs(KINDS) do
    for key, c in pairs(batch[kind]) do add(unsent, kind, key, c) end
  end
  unsent_any = true
end

-- init_worker_by_lua: take the table another worker loaded (a respawned worker), read Redis's now
-- and keep it fresh; flush stats every second.
function _M.init_worker(options)
  for key, value in pairs(options or {}) do settings[key] = value end
  dead = ngx.shared.paasmaker_dead
  take_shared()
  ngx.timer.at(0, refresh)
  ngx.timer.at(0, heartbeat)
  ngx.timer.every(settings.refresh, refresh)
  ngx.timer.every(1, flush_stats)
  ngx.timer.every(1, heartbeat)
end

-- `$host` is the Host header lowercased, without its port or a trailing dot (nginx's own
-- normalisation); an unknown one may match one wildcard level.
local function routes_of(hostname)
  local routes = hosts[hostname]
  if routes ~= nil then return routes end
  local rest = lines[hostname]
  if rest == nil then return nil end
  routes = parse_routes(rest)
  hosts[hostname] = routes
  return routes
end

local function lookup(hostname)
  local routes = routes_of(hostname)
  if routes then return routes end
  local parent = string.match(hostname, "^[^.]+%.(.+)$")
  if parent then return routes_of("*." .. parent) end
  return nil
end

-- The instance route each request in flight was sent to, by the address of nginx's request (a
-- number: no table or ngx.ctx per request): set by the balancer, taken by the log phase.
local picked = {}

local function request_id()
  return tonumber(cast(uintptr_t, get_request()))
end

-- A random route among those not tried yet (`tried`: route -> true, or nil on the first try),
-- preferring ones not marked dead: a random start, then the first alive one after it.
local function pick(routes, n, tried)
  local start = random(n)
  local fallback = nil
  for k = 0, n - 1 do
    local route = routes[(start + k - 1) % n + 1]
    if tried == nil or not tried[route] then
      if dead:get(route.addr) == nil then return route end
      fallback = fallback or route
    end
  end
  return fallback
end

-- balancer_by_lua: the first pick, then another instance after a failed connection (that one is
-- marked dead for a moment). A request it cannot route fails here, and `answer` says why.
function _M.balance()
  local r = request_id()
  local previous = picked[r]
  if previous == nil then
    local routes = hosts[var.host]
    if routes == nil then routes = lookup(var.host) end
    local n = routes and #routes or 0
    if n == 0 then return ngx.exit(500) end
    local route = routes[1]
    if n > 1 then
      route = pick(routes, n, nil)
      set_more_tries(n - 1)
    end
    picked[r] = route
    return set_current_peer(route.host, route.port)
  end
  -- A retry: the previous instance refused the connection.
  dead:set(previous.addr, true, settings.dead_seconds)
  local ctx = ngx.ctx
  local tried = ctx.paasmaker_tried
  if tried == nil then
    tried = {}
    ctx.paasmaker_tried = tried
  end
  tried[previous] = true
  local routes = lookup(var.host)
  local route = routes and #routes > 0 and pick(routes, #routes, tried)
  if not route then return ngx.exit(502) end
  picked[r] = route
  local ok, err = set_current_peer(route.host, route.port)
  if not ok then ngx.log(ngx.ERR, "paasmaker router: cannot use ", route.addr, ": ", err) end
end

-- Ends the request with the router's own answer: `<status> <detail>` in plain text.
local function say(status, detail)
  local body = status .. " " .. detail .. "\n"
  ngx.status = status
  local header = ngx.header
  header["Content-Type"] = "text/plain; charset=utf-8"
  header["Content-Length"] = #body
  ngx.print(body)
  return ngx.exit(ngx.HTTP_OK)
end

-- When a worker without a table last failed to load one for a request (ngx.now()).
local request_load_failed_at = 0

-- content_by_lua of the `error_page` the balancer's failures go to: 500 when the worker has no
-- table at all (as the original did), 400 without a Host header, 404 for an unknown hostname, 503
-- when it has no instances, 502 when every instance refused. A request the balancer failed before
-- any table was there (a worker that has just started) is routed again once there is one, so it
-- is not answered 500 before the first timer ran: the worker loads the table for it; after a
-- failed load, requests do not wait on Redis again for a refresh period.
-- Each is answered in plain text, worded as the built-in router words it.
function _M.answer()
  if serial == nil and ngx.now() - request_load_failed_at >= settings.refresh then
    refresh(false)
    if serial == nil then request_load_failed_at = ngx.now() end
  end
  if serial == nil then return say(500, "Internal Server Error: the router has no routing table yet.") end
  local header = var.http_host
  if header == nil or header == "" then return say(400, "Bad Request: no Host header.") end
  local routes = lookup(var.host)
  if routes == nil then return say(404, "Not Found: no route for " .. var.host .. ".") end
  if #routes == 0 then return say(503, "Service Unavailable: no instances for " .. var.host .. ".") end
  local r = request_id()
  if picked[r] == nil then return ngx.exec("@paasmaker_routed") end
  made[r] = true
  return say(502, "Bad Gateway: no instance answered.")
end

local function counters_of(route)
  local c = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, id = route.id, type_key = route.type_key, node = route.node }
  route.c = c
  return c
end

-- log_by_lua: counts the request against its instance route (or `uncaught`, not timed, when no
-- instance was picked), in this worker's memory (no lock, no Redis); a timer adds the counts to
-- Redis every second. The router's own answers also count as noRoute or noBackend.
function _M.log()
  local r = request_id()
  local route = picked[r]
  local c = uncaught
  local status = ngx.status
  if route ~= nil then
    picked[r] = nil
    c = route.c or counters_of(route)
    if c[1] == 0 then active[#active + 1] = c end
    c[3] = c[3] + floor((now() - start_time()) * 1000)
    c[4] = c[4] + 1
    if status == 502 and made[r] then
      made[r] = nil
      c[11] = c[11] + 1
    end
  elseif status == 503 then
    c[11] = c[11] + 1
  elseif status == 404 or status == 400 or status == 500 then
    c[10] = c[10] + 1
  end
  local class = floor(status / 100)
  if class < 1 or class > 5 then class = 5 end
  c[1] = c[1] + 1
  c[2] = c[2] + (tonumber(var.bytes_sent) or 0)
  c[class + 4] = c[class + 4] + 1
end

return _M

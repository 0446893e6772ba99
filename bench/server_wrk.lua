-- wrk script for bench/server_wrk.sh: audited child reads (GET /api/children/{id}), the radar (GET /api/radar),
-- the caseload (GET /api/caseload) or a MASE agenda (GET /api/mase/meetings/{id}) as one signed-in user.
--
-- Environment: RR_COOKIE (the session cookie), RR_IDS (file of child ids the user may see, one per line),
-- RR_READ_SECONDS (how long to send reads), RR_PATH (child, radar, caseload or agenda; default child; agenda
-- reads the meeting id in RR_IDS). After RR_READ_SECONDS no
-- connection sends anything more (delay() holds the next request back past the end of the run), so no read is
-- still in flight when wrk drops its connections at -d: every read sent is answered and counted, and the audit
-- log must grow by exactly the number of 2xx child reads counted here (radar reads: not audited). wrk's
-- latency figures are these reads only; its Requests/sec divides by the whole -d, so the script prints the
-- rate over the reading window too.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } rr_timespec;
  int clock_gettime(int clk_id, rr_timespec *tp);
]]
local ts = ffi.new("rr_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local ids = {}
local next_id = 1
local radar = false
local path = "child"
local headers = {}
local started, deadline
child_ok = 0     -- 2xx answers to child reads
child_other = 0  -- any other answer (refused, error): each is audited too
window = 0       -- seconds during which child reads were sent

function init(args)
  for line in io.lines(os.getenv("RR_IDS")) do
    if line ~= "" then table.insert(ids, line) end
  end
  -- Threads start at different places in the list so they do not read the same child at the same time.
  next_id = ((tid or 1) - 1) * math.floor(#ids / 2) % #ids + 1
  headers["Cookie"] = os.getenv("RR_COOKIE")
  path = os.getenv("RR_PATH") or "child"
  radar = path == "radar"
  started = now()
  deadline = started + tonumber(os.getenv("RR_READ_SECONDS"))
end

function delay()
  if now() < deadline then return 0 end
  if window == 0 then window = now() - started end
  return 3600 * 1000  -- past the end of any run: this connection sends nothing more
end

function request()
  if radar then return wrk.format("GET", "/api/radar", headers) end
  if path == "caseload" then return wrk.format("GET", "/api/caseload", headers) end
  if path == "agenda" then return wrk.format("GET", "/api/mase/meetings/" .. ids[1], headers) end
  local id = ids[next_id]
  next_id = next_id % #ids + 1
  return wrk.format("GET", "/api/children/" .. id, headers)
end

function response(status, hdrs, body)
  -- A child view always carries "access_basis", the radar "by_level"; anything else is an error answer.
  local marks = {radar = '"by_level"', caseload = '"children"', agenda = '"agenda"'}
  local mark = marks[path] or '"access_basis"'
  if status >= 200 and status < 300 and string.find(body, mark, 1, true) then
    child_ok = child_ok + 1
  else
    child_other = child_other + 1
  end
end

function done(summary, latency, requests)
  local ok, other, win = 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("child_ok")
    other = other + t:get("child_other")
    win = math.max(win, t:get("window"))
  end
  io.write(string.format("RR child_2xx=%d child_other=%d window_s=%.3f\n", ok, other, win))
  io.write(string.format("RR latency_p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end

-- POST /consent/ as consent.js sends it: JSON, a unique decision_id per request, same-origin.
--
--   wrk -s bench/post_consent.lua URL -- RUN ACKED RESEND BANNER
--
-- RUN is 8 hex digits that start every decision_id of this run, so that the rows it stored can be
-- counted. ACKED, a file name: the decision_id of every 2xx answer is written there, one a line.
-- RESEND, a number N: every Nth request re-sends an earlier decision_id, as consent.js does after
-- an outage. BANNER: the hash of the banner version the page shows (its #cc-config), which every
-- decision names. Each request comes from a client address of its own (X-Forwarded-For, which the
-- benchmark servers trust), as decisions do from visitors: no client reaches its rate limit.
-- done() prints the count of each status and of socket errors.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  run = args[1] or "00000000"
  acked_file = args[2]
  resend = tonumber(args[3] or "0")
  banner = args[4] or ""
  counter = 0
  statuses = {}
  acked = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Sec-Fetch-Site"] = "same-origin"
  wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
end

function request()
  counter = counter + 1
  local n = counter
  if resend > 0 and n % resend == 0 then
    n = n - 1 -- the previous decision again
  end
  -- Derived from (run, thread, n) only, so that a re-sent decision carries the same ID. "accept_all"
  -- grants every optional purpose, so the body needs no list of them.
  local id = string.format("%s-%04x-4%03x-%04x-%012x", run, tid, n % 4096, 0x8000 + (n * 7919) % 0x4000, n)
  local body = string.format(
    '{"action":"accept_all","source":"banner","decision_id":"%s","decided_at":%d,"revision":1,'
      .. '"banner":"%s","gpc":false,"path":"/"}',
    id, os.time() * 1000, banner)
  -- wrk.format takes the request's whole header table: the common headers, plus this client's address.
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid % 256, math.floor(counter / 256) % 256, counter % 256)
  return wrk.format(nil, nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if acked_file and status >= 200 and status < 300 then
    acked[#acked + 1] = body:match('"decision_id": "([%x%-]+)"')
  end
end

function done(summary, latency, requests)
  local totals = {}
  local name = threads[1]:get("acked_file") -- init() ran in the threads' states, not in this one
  local out = name and io.open(name, "w")
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
    end
    if out then
      for _, id in ipairs(thread:get("acked")) do
        out:write(id, "\n")
      end
    end
  end
  if out then
    out:close()
  end
  for status, n in pairs(totals) do
    io.write(string.format("status %d: %d\n", status, n))
  end
  local e = summary.errors
  io.write(string.format("socket errors: %d\n", e.connect + e.read + e.write + e.timeout))
end

-- wrk script for bench_http.py: one kind of request, a bearer token per client,
-- and the results as one JSON line on stdout.
--
--   wrk -t T -c C -d 5s --timeout 10s -s bench/wrk_http.lua URL -- METHOD PATH TOKENS T [BODY]
--
-- TOKENS is a file with one token per client (line); a line "cookie:<value>" is sent as
-- a Cookie header instead (the kiosk pages), and a BODY not starting with "{" as a form. Thread k of T takes lines
-- k, k+T, k+2T, ... and its requests rotate through them: each thread's connections
-- take turns, so a token is (nearly always) in use by one connection at a time.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local prepared = {}
local position = 0
-- Globals, so that done() can read them from each thread.
sent = 0
non2xx = 0

function init(args)
  local method, path, tokens_file, threads_total = args[1], args[2], args[3], tonumber(args[4])
  local body = args[5] ~= "" and args[5] or nil
  local line_number = 0
  for token in io.lines(tokens_file) do
    if line_number % threads_total == id then
      local headers = {}
      if token:sub(1, 7) == "cookie:" then
        headers["Cookie"] = token:sub(8)  -- the kiosk pages sign in by cookie
      else
        headers["Authorization"] = "Bearer " .. token
      end
      if body then
        local form = body:sub(1, 1) ~= "{"
        headers["Content-Type"] = form and "application/x-www-form-urlencoded" or "application/json"
      end
      table.insert(prepared, wrk.format(method, path, headers, body))
    end
    line_number = line_number + 1
  end
  assert(#prepared > 0, "thread " .. id .. " got no token")
end

function request()
  sent = sent + 1
  position = position % #prepared + 1
  return prepared[position]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local sent_total, non2xx_total = 0, 0
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    non2xx_total = non2xx_total + thread:get("non2xx")
  end
  local e = summary.errors
  -- Requests sent but neither answered nor lost to a socket error: still open at the end.
  -- (wrk calls request() once more, on thread 1, to check the script: not sent.)
  local unfinished = math.max(0, sent_total - 1 - summary.requests - e.read - e.write)
  io.write(string.format(
    'LOAD_JSON {"responses": %d, "duration_s": %.6f, "non2xx": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "unfinished": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, non2xx_total, e.connect, e.read, e.write,
    e.timeout, unfinished, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency.max / 1000
  ))
end

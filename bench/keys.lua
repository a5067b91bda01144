-- wrk script: GET /api/users/{id} over KEYS distinct users (default 2000), optionally paced to RATE requests/s
-- in total (wrk's delay() per connection), for the p99-at-half-load measurement.
local keys = tonumber(os.getenv("KEYS") or "2000")
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "32")
local counter = 0

function init(args)
  math.randomseed(os.time() + (wrk.thread and 1 or 0))
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/users/load-" .. math.random(0, keys - 1))
end

function delay()
  if rate > 0 then
    return math.floor(connections * 1000 / rate)
  end
  return 0
end

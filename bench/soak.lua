-- wrk script for bench/soak.sh: the service's traffic mix over KEYS users soak-0 ... soak-(KEYS-1), paced to RATE
-- requests/s in total (wrk's delay() per connection; 0 = as fast as possible, for the peak):
--   60 % GET /api/users/{id}, 10 % PUT /api/users/{id}, 20 % POST /api/users/{id}/orders, 10 % GET /api/users/{id}/orders.
-- Each placement carries one of ORDERS_PER_USER idempotency keys of its user (default 10), so the data, and with it the
-- working set of grains, stops growing once every key is placed: later placements find their order placed (the
-- retry path), and a steady state can be measured. ORDERS_PER_USER=0 gives every placement a new order.
local keys = tonumber(os.getenv("KEYS") or "2000")
local rate = tonumber(os.getenv("RATE") or "0")
local connections = tonumber(os.getenv("CONNECTIONS") or "32")
local orders_per_user = tonumber(os.getenv("ORDERS_PER_USER") or "10")
local placed = 0
local profile = '{"displayName":"Soak User","email":"soak@example.com"}'
local order = '{"lines":[{"sku":"SKU-1","quantity":2,"unitPrice":10.5}]}'
local json = { ["Content-Type"] = "application/json" }

local function placement_headers(user)
  local key
  if orders_per_user > 0 then
    key = user .. "-" .. math.random(0, orders_per_user - 1)
  else
    placed = placed + 1
    key = user .. "-" .. (wrk.thread and tostring(wrk.thread) or "") .. "-" .. placed .. "-" .. math.random(0, 1e9)
  end
  return { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }
end

function init(args)
  math.randomseed(os.time() + (wrk.thread and 1 or 0))
end

function request()
  local id = math.random(0, keys - 1)
  local user = "/api/users/soak-" .. id
  local pick = math.random(1, 10)
  if pick <= 6 then
    return wrk.format("GET", user)
  elseif pick == 7 then
    return wrk.format("PUT", user, json, profile)
  elseif pick <= 9 then
    return wrk.format("POST", user .. "/orders", placement_headers("soak-" .. id), order)
  end
  return wrk.format("GET", user .. "/orders")
end

function delay()
  if rate > 0 then
    return math.floor(connections * 1000 / rate)
  end
  return 0
end

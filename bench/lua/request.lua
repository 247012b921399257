-- wrk request script for bench/run.sh. Reads the request from the environment:
--   BENCH_METHOD        GET | PUT | POST
--   BENCH_TOKEN         bearer token ("-" or empty: no Authorization header)
--   BENCH_BODY_FILE     file holding the request body ("-" or empty: no body)
--   BENCH_CONTENT_TYPE  Content-Type of the body
-- The request is built once (wrk.format) and sent as-is on every keep-alive connection.
local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN") or "-"
local bodyFile = os.getenv("BENCH_BODY_FILE") or "-"
local contentType = os.getenv("BENCH_CONTENT_TYPE") or "-"

local headers = {}
if token ~= "" and token ~= "-" then
  headers["Authorization"] = "Bearer " .. token
end
local body = nil
if bodyFile ~= "" and bodyFile ~= "-" then
  local f = assert(io.open(bodyFile, "rb"))
  body = f:read("*a")
  f:close()
  headers["Content-Type"] = contentType
end

local req = nil
request = function()
  if req == nil then
    req = wrk.format(method, nil, headers, body)
  end
  return req
end

-- Token buckets, checked and taken together: a call needs a token from every bucket, or takes none.
-- KEYS[i]: bucket i. ARGV[1]: tokens to take (0 only reads). ARGV[2i], ARGV[2i+1]: bucket i's capacity and
-- refill rate in tokens per millisecond. Redis's own clock, so every replica agrees on time.
-- Returns {allowed (1 or 0), milliseconds until every bucket has the tokens, tokens left in bucket 1, 2, ...}.
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local take = tonumber(ARGV[1])

local tokens = {}
local wait = 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i])
  local rate = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local available = tonumber(state[1])
  local last = tonumber(state[2])
  if available == nil then
    available = capacity
    last = now
  end
  available = math.min(capacity, available + math.max(0, now - last) * rate)
  tokens[i] = available
  if available < take then
    wait = math.max(wait, math.ceil((take - available) / rate))
  end
end

local allowed = 0
if wait == 0 and take > 0 then
  allowed = 1
end

local result = { allowed, wait }
for i = 1, #KEYS do
  if allowed == 1 then
    tokens[i] = tokens[i] - take
  end
  if take > 0 then
    local capacity = tonumber(ARGV[2 * i])
    local rate = tonumber(ARGV[2 * i + 1])
    redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i]), 'ts', now)
    -- A bucket untouched until it would be full again is the same as no bucket.
    redis.call('PEXPIRE', KEYS[i], math.ceil(capacity / rate) + 1000)
  end
  result[#result + 1] = math.floor(tokens[i])
end
return result

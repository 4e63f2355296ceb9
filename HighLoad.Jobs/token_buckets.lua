-- Token buckets, checked and taken together: a call needs a token from every bucket, or takes none.
-- KEYS[i]: bucket i. ARGV[1]: tokens to take (0 only reads). ARGV[2]: '1' if a bucket this Redis process has not
-- written starts empty, '0' if it starts full. ARGV[2i+1], ARGV[2i+2]: bucket i's capacity and refill rate in
-- tokens per millisecond. Redis's own clock, so every replica agrees on time.
-- Returns {allowed (1 or 0), milliseconds until every bucket has the tokens, tokens left in bucket 1, 2, ...}.
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local take = tonumber(ARGV[1])
local start_empty = ARGV[2] == '1'

-- A budget must never be refilled by losing its state: a bucket that is missing (flushed, expired) or was
-- written by an earlier Redis process (replayed from the append-only file, up to a second behind the takes it
-- served) counts as empty. The server's run_id changes with every start.
local run_id = ''
if start_empty then
  run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
end

local tokens = {}
local wait = 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[2 * i + 1])
  local rate = tonumber(ARGV[2 * i + 2])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'run')
  local available = tonumber(state[1])
  local last = tonumber(state[2])
  if available == nil or (start_empty and state[3] ~= run_id) then
    if start_empty then available = 0 else available = capacity end
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
    local capacity = tonumber(ARGV[2 * i + 1])
    local rate = tonumber(ARGV[2 * i + 2])
    redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i]), 'ts', now, 'run', run_id)
    -- A bucket untouched until it would be full again is the same as a full one; one that starts empty
    -- loses only its burst when it expires.
    redis.call('PEXPIRE', KEYS[i], math.ceil(capacity / rate) + 1000)
  end
  result[#result + 1] = math.floor(tokens[i])
end
return result

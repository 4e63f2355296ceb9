-- Claims a client's Idempotency-Key for a request. KEYS[1]: the key's hash. ARGV[1]: the body's hash, ARGV[2]: the
-- job id to bind, ARGV[3]: ms after which a claim still waiting for Kafka counts as abandoned, ARGV[4]: TTL (ms).
-- Returns {outcome, job id}:
--   new       the key is bound to ARGV[2] now: send that job
--   conflict  the key was used with another body
--   accepted  the key's job was acknowledged by Kafka: answer with it
--   pending   the key's first request is still waiting for Kafka: 409, try again shortly
--   resend    the key's first request died or timed out with its outcome unknown: send that job again, same id
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'body', 'job', 'state', 'since')
if not state[1] then
  redis.call('HSET', KEYS[1], 'body', ARGV[1], 'job', ARGV[2], 'state', 'pending', 'since', now)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return { 'new', ARGV[2] }
end
if state[1] ~= ARGV[1] then
  return { 'conflict', state[2] }
end
if state[3] == 'accepted' then
  return { 'accepted', state[2] }
end
if state[3] == 'pending' and now - tonumber(state[4]) < tonumber(ARGV[3]) then
  return { 'pending', state[2] }
end
redis.call('HSET', KEYS[1], 'state', 'pending', 'since', now)
return { 'resend', state[2] }

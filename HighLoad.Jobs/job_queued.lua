-- A job the brokers acknowledged: "queued", unless a worker has already written a newer status.
-- KEYS[1]: the job's hash; KEYS[2..]: the accepted counters (all clients, this client).
-- ARGV[1]: client id, ARGV[2]: created at (ms), ARGV[3]: the hash's TTL (ms), ARGV[4]: the counters' TTL (ms).
-- Counts the job once, however often it is sent again under its id.
redis.call('HSETNX', KEYS[1], 'status', 'queued')
redis.call('HSETNX', KEYS[1], 'attempts', 0)
redis.call('HSET', KEYS[1], 'clientId', ARGV[1], 'createdAt', ARGV[2])
local first = redis.call('HSETNX', KEYS[1], 'counted', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if first == 1 then
  for i = 2, #KEYS do
    redis.call('INCR', KEYS[i])
    redis.call('PEXPIRE', KEYS[i], ARGV[4])
  end
end
return first

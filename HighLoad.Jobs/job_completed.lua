-- A job that ended, succeeded or failed. KEYS[1]: the job's hash; KEYS[2..]: the completed counters (all clients,
-- this client). ARGV[1..7]: status, client id, attempts, created at, completed at (ms), result, error;
-- ARGV[8]: the hash's TTL (ms), ARGV[9]: the counters' TTL (ms).
-- Counts the job once, however often a redelivery finishes it again.
local previous = redis.call('HGET', KEYS[1], 'status')
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'clientId', ARGV[2], 'attempts', ARGV[3], 'createdAt', ARGV[4],
  'completedAt', ARGV[5], 'result', ARGV[6], 'error', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
if previous ~= 'succeeded' and previous ~= 'failed' then
  for i = 2, #KEYS do
    redis.call('INCR', KEYS[i])
    redis.call('PEXPIRE', KEYS[i], ARGV[9])
  end
end
return 1

-- Records how a claimed key's send ended. KEYS[1]: the key's hash. ARGV[1]: 'accepted' (Kafka acknowledged),
-- 'unknown' (timed out, perhaps delivered: a retry sends the same job) or 'released' (not delivered: a retry
-- starts afresh). Never creates the key: one that expired or was flushed meanwhile stays gone.
if ARGV[1] == 'released' then
  return redis.call('DEL', KEYS[1])
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'state', ARGV[1])
  return 1
end
return 0

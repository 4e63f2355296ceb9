-- Counts one call to the provider in a bucket of every window, and keeps each bucket as long as it is read.
-- KEYS[i]: the bucket of window i the call falls in. ARGV[i]: that bucket's lifetime in seconds.
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[i])
end
return #KEYS

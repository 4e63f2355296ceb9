-- Raises user:{id}:ver to ARGV[1] unless it is already higher: a cache fill with an older row never wins
-- over a write. Returns the version now in force.
local current = tonumber(redis.call('GET', KEYS[1]))
local offered = tonumber(ARGV[1])
if current == nil or offered > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return offered
end
return current

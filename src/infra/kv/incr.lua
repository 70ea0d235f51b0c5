-- Atomic counter with a fixed window: the expiry is set only when this call creates the key,
-- so later increments never extend the window and a key without expiry never gains one.
-- KEYS[1] counter key; ARGV[1] amount; ARGV[2] ttl in milliseconds ("" for none).
local created = redis.call('EXISTS', KEYS[1]) == 0
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return total

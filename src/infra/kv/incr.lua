-- Atomic counter with a fixed window: the expiry is set only when the key is new.
-- KEYS[1] counter key; ARGV[1] amount; ARGV[2] ttl in milliseconds ("" for none).
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return total

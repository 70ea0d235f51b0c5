-- ARGV: prefix, id, token, lease_expires_at, now
local id, token, expires, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if not held(id, token) then
  return 0
end
redis.call('HSET', jkey(id), 'lease_expires_at', expires, 'updated_at', now)
redis.call('ZADD', P .. 'leases', expires, id)
return 1

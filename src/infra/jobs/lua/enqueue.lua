-- ARGV: prefix, id, name, payload, priority, run_at, max_attempts, dedup_key, owner_id, now
local id, priority, run_at, now = ARGV[2], ARGV[5], ARGV[6], ARGV[10]
local dedup, owner = ARGV[8], ARGV[9]
if dedup ~= '' then
  local holder = redis.call('GET', P .. 'dedup:' .. dedup)
  if holder and is_live(holder) then
    return redis.call('HGETALL', jkey(holder))
  end
  redis.call('SET', P .. 'dedup:' .. dedup, id)
end
local key = jkey(id)
redis.call('HSET', key, 'id', id, 'name', ARGV[3], 'payload', ARGV[4], 'state', 'pending',
  'priority', priority, 'run_at', run_at, 'attempts', 0, 'max_attempts', ARGV[7],
  'created_at', now, 'updated_at', now)
if dedup ~= '' then
  redis.call('HSET', key, 'dedup_key', dedup)
end
queue(id, priority, run_at, now)
redis.call('ZADD', P .. 'state:pending', ms(now), id)
redis.call('ZADD', P .. 'all', ms(now), id)
if owner ~= '' then
  redis.call('HSET', key, 'owner_id', owner)
  redis.call('ZADD', P .. 'owner:' .. owner, ms(now), id)
end
return redis.call('HGETALL', key)

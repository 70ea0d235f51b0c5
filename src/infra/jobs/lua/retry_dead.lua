-- ARGV: prefix, id, now
local id, now = ARGV[2], ARGV[3]
local key = jkey(id)
if redis.call('HGET', key, 'state') ~= 'dead' then
  return 0
end
local dedup = redis.call('HGET', key, 'dedup_key')
if dedup then
  local holder = redis.call('GET', P .. 'dedup:' .. dedup)
  if holder and holder ~= id and is_live(holder) then
    return 0
  end
  redis.call('SET', P .. 'dedup:' .. dedup, id)
end
redis.call('HSET', key, 'state', 'pending', 'attempts', 0, 'run_at', now, 'updated_at', now)
move_state(id, 'dead', 'pending')
queue(id, redis.call('HGET', key, 'priority'), now, now)
return 1

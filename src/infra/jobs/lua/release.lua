-- ARGV: prefix, id, token, now. Graceful shutdown: the attempt is not counted.
local id, token, now = ARGV[2], ARGV[3], ARGV[4]
if not held(id, token) then
  return 0
end
local key = jkey(id)
redis.call('HINCRBY', key, 'attempts', -1)
redis.call('HSET', key, 'state', 'pending', 'run_at', now)
settle(id, now)
move_state(id, 'running', 'pending')
queue(id, redis.call('HGET', key, 'priority'), now, now)
return 1

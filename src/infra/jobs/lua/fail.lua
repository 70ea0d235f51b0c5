-- ARGV: prefix, id, token, error, retry_run_at ('' dead-letters), now
local id, token, err, retry_at, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if not held(id, token) then
  return false
end
local key = jkey(id)
local fields = redis.call('HMGET', key, 'attempts', 'max_attempts', 'priority')
local state = 'dead'
if retry_at ~= '' and tonumber(fields[1]) < tonumber(fields[2]) then
  state = 'pending'
end
redis.call('HSET', key, 'state', state, 'last_error', err)
settle(id, now)
move_state(id, 'running', state)
if state == 'pending' then
  redis.call('HSET', key, 'run_at', retry_at)
  queue(id, fields[3], retry_at, now)
else
  release_dedup(id)
end
return state

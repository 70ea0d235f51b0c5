-- ARGV: prefix, now, limit, lease_lost_message. Returns {id, new_state, id, new_state, ...}.
local now, limit, message = ARGV[2], ARGV[3], ARGV[4]
local out = {}
local lapsed = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(lapsed) do
  local key = jkey(id)
  local fields = redis.call('HMGET', key, 'state', 'attempts', 'max_attempts', 'lease_expires_at',
    'priority')
  if fields[1] ~= 'running' then
    redis.call('ZREM', P .. 'leases', id)
  elseif tonumber(fields[4]) <= tonumber(now) then
    local state = 'pending'
    if tonumber(fields[2]) >= tonumber(fields[3]) then
      state = 'dead'
    end
    redis.call('HSET', key, 'state', state)
    settle(id, now)
    move_state(id, 'running', state)
    if state == 'pending' then
      redis.call('HSET', key, 'run_at', now)
      queue(id, fields[5], now, now)
    else
      redis.call('HSET', key, 'last_error', message)
      release_dedup(id)
    end
    table.insert(out, id)
    table.insert(out, state)
  end
end
return out

-- ARGV: prefix, now, lease_expires_at, token, worker_id, job_id ('' claims the best due job)
local now, expires, token, worker, wanted = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]

-- Move jobs that came due from `scheduled` into `ready` (bounded work per call).
local due = redis.call('ZRANGEBYSCORE', P .. 'scheduled', '-inf', now, 'LIMIT', 0, 200)
for _, id in ipairs(due) do
  local fields = redis.call('HMGET', jkey(id), 'priority', 'run_at')
  redis.call('ZREM', P .. 'scheduled', id)
  if fields[1] then
    redis.call('ZADD', P .. 'ready', ready_score(fields[1], fields[2]), id)
  end
end

local id = nil
if wanted == '' then
  while true do
    local popped = redis.call('ZPOPMIN', P .. 'ready')
    if #popped == 0 then
      return false
    end
    if redis.call('HGET', jkey(popped[1]), 'state') == 'pending' then
      id = popped[1]
      break
    end
  end
else
  local fields = redis.call('HMGET', jkey(wanted), 'state', 'run_at')
  if fields[1] ~= 'pending' or tonumber(fields[2]) > tonumber(now) then
    return false
  end
  id = wanted
  redis.call('ZREM', P .. 'ready', id)
  redis.call('ZREM', P .. 'scheduled', id)
end

local key = jkey(id)
redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'state', 'running', 'worker_id', worker, 'token', token,
  'lease_expires_at', expires, 'updated_at', now)
redis.call('ZADD', P .. 'leases', expires, id)
move_state(id, 'pending', 'running')
return redis.call('HGETALL', key)

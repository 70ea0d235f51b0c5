-- Shared helpers, prepended to every job script (Redis Lua scripts cannot import).
-- ARGV[1] is always the key prefix; times are integer microseconds since the epoch.
-- Keys: job:<id> (hash), scheduled (zset by run_at), ready (zset by priority then run_at),
-- leases (zset by lease expiry), state:<state>, owner:<id>, all (zsets by creation, for
-- listing), finished (zset of done jobs by finish time), dedup:<key> (id of the live holder).
local P = ARGV[1]

local function jkey(id)
  return P .. 'job:' .. id
end

local function ms(us)
  return math.floor(tonumber(us) / 1000)
end

-- Higher priority first, then earlier run_at; priority is bounded to [-100, 100] so the
-- score stays an exact integer below 2^53.
local function ready_score(priority, run_at)
  return (100 - tonumber(priority)) * 10000000000000 + ms(run_at)
end

local function queue(id, priority, run_at, now)
  if tonumber(run_at) <= tonumber(now) then
    redis.call('ZADD', P .. 'ready', ready_score(priority, run_at), id)
  else
    redis.call('ZADD', P .. 'scheduled', run_at, id)
  end
end

local function move_state(id, from, to)
  local created = redis.call('HGET', jkey(id), 'created_at')
  redis.call('ZREM', P .. 'state:' .. from, id)
  redis.call('ZADD', P .. 'state:' .. to, ms(created), id)
end

local function settle(id, now)
  redis.call('HDEL', jkey(id), 'worker_id', 'token', 'lease_expires_at')
  redis.call('HSET', jkey(id), 'updated_at', now)
  redis.call('ZREM', P .. 'leases', id)
end

local function release_dedup(id)
  local key = redis.call('HGET', jkey(id), 'dedup_key')
  if key and redis.call('GET', P .. 'dedup:' .. key) == id then
    redis.call('DEL', P .. 'dedup:' .. key)
  end
end

local function is_live(id)
  local state = redis.call('HGET', jkey(id), 'state')
  return state == 'pending' or state == 'running'
end

local function held(id, token)
  local fields = redis.call('HMGET', jkey(id), 'state', 'token')
  return fields[1] == 'running' and fields[2] == token
end

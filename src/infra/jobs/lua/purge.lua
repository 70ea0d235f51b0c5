-- ARGV: prefix, before (microseconds), limit. Deletes done jobs finished before `before`.
local before, limit = ARGV[2], ARGV[3]
local old = redis.call('ZRANGEBYSCORE', P .. 'finished', '-inf', '(' .. ms(before), 'LIMIT', 0,
  limit)
for _, id in ipairs(old) do
  local key = jkey(id)
  local owner = redis.call('HGET', key, 'owner_id')
  if owner then
    redis.call('ZREM', P .. 'owner:' .. owner, id)
  end
  redis.call('ZREM', P .. 'finished', id)
  redis.call('ZREM', P .. 'state:done', id)
  redis.call('ZREM', P .. 'all', id)
  redis.call('DEL', key)
end
return #old

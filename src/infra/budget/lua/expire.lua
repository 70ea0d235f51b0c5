-- Sweep holds that lapsed (their process died before settling). ARGV: prefix, now (ms), limit.
-- Returns how many reservations were expired.
local prefix, now, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', prefix .. 'holds', '-inf', now, 'LIMIT', 0, limit)
for _, rid in ipairs(ids) do
  local rkey = prefix .. 'r:' .. rid
  local r = redis.call('HMGET', rkey, 'amount', 'state', 'windows')
  if r[2] == 'held' then
    local amount = tonumber(r[1])
    local member = rid .. '|' .. amount
    for _, w in ipairs(cjson.decode(r[3])) do
      unhold(prefix, w[1], member, amount)
    end
    redis.call('HSET', rkey, 'state', 'expired')
  end
  redis.call('ZREM', prefix .. 'holds', rid)
end
return #ids

-- Free a hold without charging. ARGV: prefix, reservation id, now (ms).
-- Returns 1 when the hold was live, 0 when it had lapsed or was not held.
local prefix, rid, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local rkey = prefix .. 'r:' .. rid

local r = redis.call('HMGET', rkey, 'amount', 'state', 'windows', 'expires')
if r[2] ~= 'held' then
  return 0
end
local amount = tonumber(r[1])
local member = rid .. '|' .. amount
for _, w in ipairs(cjson.decode(r[3])) do
  unhold(prefix, w[1], member, amount)
end
redis.call('HSET', rkey, 'state', 'released')
redis.call('ZREM', prefix .. 'holds', rid)
if tonumber(r[4]) > now then
  return 1
end
return 0

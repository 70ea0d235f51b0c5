-- Charge what a call used (at most its hold, at most the room left) and free the hold.
-- Idempotent: a settled reservation returns its first charge and changes nothing.
-- ARGV: prefix, reservation id, tokens used, now (ms). Returns the charge.
local prefix, rid = ARGV[1], ARGV[2]
local used, now = tonumber(ARGV[3]), tonumber(ARGV[4])
local rkey = prefix .. 'r:' .. rid

local r = redis.call('HMGET', rkey, 'amount', 'state', 'charged', 'windows')
if not r[1] or r[2] == 'released' then
  return 0
end
if r[2] == 'settled' then
  return tonumber(r[3])
end

local amount = tonumber(r[1])
local windows = cjson.decode(r[4])
local member = rid .. '|' .. amount
local charge = math.min(math.max(used, 0), amount)
local lapsed = {}
for _, w in ipairs(windows) do
  if not unhold(prefix, w[1], member, amount) then
    lapsed[#lapsed + 1] = w
  end
end
-- Where the hold had lapsed it no longer guarantees room: charge only what still fits.
for _, w in ipairs(lapsed) do
  purge(prefix, w[1], now)
  local window_used, window_reserved = window_state(prefix, w[1])
  charge = math.min(charge, math.max(0, w[2] - window_used - window_reserved))
end
for _, w in ipairs(windows) do
  local wkey = prefix .. 'w:' .. w[1]
  if charge > 0 then
    redis.call('HINCRBY', wkey, 'used', charge)
  end
  redis.call('PEXPIRE', wkey, w[3])
end
redis.call('HSET', rkey, 'state', 'settled', 'charged', charge)
redis.call('ZREM', prefix .. 'holds', rid)
return charge

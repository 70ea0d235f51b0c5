-- Hold an amount in every window, or in none.
-- ARGV: prefix, reservation id, amount, min amount (0: all or nothing), now (ms),
--       hold expiry (ms), windows JSON [[key, limit, keep for (ms)], ...], record keep for (ms)
-- Returns {1, granted} or {0, room of window 1, room of window 2, ...}.
local prefix, rid = ARGV[1], ARGV[2]
local amount, min_amount = tonumber(ARGV[3]), tonumber(ARGV[4])
local now, expires = tonumber(ARGV[5]), tonumber(ARGV[6])
local windows = cjson.decode(ARGV[7])
local rkey = prefix .. 'r:' .. rid

local existing = redis.call('HGET', rkey, 'amount')
if existing then
  return {1, tonumber(existing)}
end

local room, least = {}, nil
for i, w in ipairs(windows) do
  purge(prefix, w[1], now)
  local used, reserved = window_state(prefix, w[1])
  room[i] = w[2] - used - reserved
  if least == nil or room[i] < least then
    least = room[i]
  end
end

local granted
if least >= amount then
  granted = amount
elseif min_amount > 0 and least >= min_amount then
  granted = least
else
  local refused = {0}
  for i = 1, #room do
    refused[i + 1] = room[i]
  end
  return refused
end

local member = rid .. '|' .. granted
for _, w in ipairs(windows) do
  local wkey, hkey = prefix .. 'w:' .. w[1], prefix .. 'h:' .. w[1]
  redis.call('HINCRBY', wkey, 'reserved', granted)
  redis.call('ZADD', hkey, expires, member)
  redis.call('PEXPIRE', wkey, w[3])
  redis.call('PEXPIRE', hkey, w[3])
end
redis.call('HSET', rkey, 'amount', granted, 'state', 'held', 'charged', 0,
  'windows', ARGV[7], 'expires', expires)
redis.call('PEXPIRE', rkey, ARGV[8])
redis.call('ZADD', prefix .. 'holds', expires, rid)
return {1, granted}

-- Shared helpers, prepended to every budget script. Keys are built from ARGV prefix:
--   <prefix>w:<window>  hash {used, reserved}
--   <prefix>h:<window>  zset of holds, member "<reservation id>|<amount>", score expiry (ms)
--   <prefix>r:<id>      hash {amount, state, charged, windows (JSON), expires}
--   <prefix>holds       zset of held reservation ids by expiry (ms), for the sweeper

-- Drop the lapsed holds of one window and give their amount back.
local function purge(prefix, window, now)
  local hkey = prefix .. 'h:' .. window
  local lapsed = redis.call('ZRANGEBYSCORE', hkey, '-inf', now)
  if #lapsed == 0 then
    return
  end
  local freed = 0
  for _, member in ipairs(lapsed) do
    freed = freed + tonumber(string.match(member, '|(%d+)$'))
  end
  redis.call('ZREMRANGEBYSCORE', hkey, '-inf', now)
  redis.call('HINCRBY', prefix .. 'w:' .. window, 'reserved', -freed)
end

local function window_state(prefix, window)
  local values = redis.call('HMGET', prefix .. 'w:' .. window, 'used', 'reserved')
  return tonumber(values[1]) or 0, tonumber(values[2]) or 0
end

-- Remove one reservation's hold from a window; true when it was still there.
local function unhold(prefix, window, member, amount)
  if redis.call('ZREM', prefix .. 'h:' .. window, member) == 1 then
    redis.call('HINCRBY', prefix .. 'w:' .. window, 'reserved', -amount)
    return true
  end
  return false
end

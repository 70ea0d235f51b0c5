-- Store the response of an in-flight claim and keep it for the claim's ttl from now.
-- Fenced: only the holder of the current claim's token may complete it.
-- Record layout: see claim.lua.
-- KEYS[1] record key; ARGV[1] token; ARGV[2] now (ms); ARGV[3] response.
local record = redis.call('GET', KEYS[1])
if not record then
  return 0
end
local state, token, _, ttl, fp_bytes, start =
  string.match(record, '^(%a)|(%w*)|(%d+)|(%d+)|(%d+)|()')
if state ~= 'p' or token ~= ARGV[1] then
  return 0
end
local fingerprint = string.sub(record, start, start + tonumber(fp_bytes) - 1)
local expires_at = string.format('%d', tonumber(ARGV[2]) + tonumber(ttl))
local completed = 'd|' .. token .. '|' .. expires_at .. '|' .. ttl .. '|' .. fp_bytes .. '|'
  .. fingerprint .. ARGV[3]
redis.call('SET', KEYS[1], completed, 'PX', ttl)
return 1

-- Forget an in-flight claim so the key can be claimed again.
-- Fenced: only the holder of the current claim's token may release it.
-- Record layout: see claim.lua.
-- KEYS[1] record key; ARGV[1] token.
local record = redis.call('GET', KEYS[1])
if not record then
  return 0
end
local state, token = string.match(record, '^(%a)|(%w*)|')
if state ~= 'p' or token ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1

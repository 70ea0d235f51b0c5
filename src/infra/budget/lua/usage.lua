-- Used and live-held amounts of windows. ARGV: prefix, now (ms), keys JSON [key, ...].
-- Returns {used 1, reserved 1, used 2, reserved 2, ...}.
local prefix, now = ARGV[1], tonumber(ARGV[2])
local result = {}
for _, key in ipairs(cjson.decode(ARGV[3])) do
  purge(prefix, key, now)
  local used, reserved = window_state(prefix, key)
  result[#result + 1] = used
  result[#result + 1] = reserved
end
return result

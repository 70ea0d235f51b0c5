-- Claim a key that `SET NX` found taken: take it over when its lease (in flight) or its
-- retention (completed) has lapsed by the callers' clock, else report what holds it.
-- A record is  state|token|expires_at_ms|ttl_ms|fingerprint_bytes|<fingerprint><response>
-- with state `p` (in flight) or `d` (completed).
-- KEYS[1] record key; ARGV[1] the new in-flight record; ARGV[2] now (ms); ARGV[3] lease (ms);
-- ARGV[4] fingerprint.
local record = redis.call('GET', KEYS[1])
if record then
  local state, _, expires_at, _, fp_bytes, start =
    string.match(record, '^(%a)|(%w*)|(%d+)|(%d+)|(%d+)|()')
  local remaining = tonumber(expires_at) - tonumber(ARGV[2])
  if remaining > 0 then
    local fingerprint = string.sub(record, start, start + tonumber(fp_bytes) - 1)
    if fingerprint ~= ARGV[4] then
      return {'mismatch'}
    end
    if state == 'd' then
      return {'completed', string.sub(record, start + tonumber(fp_bytes))}
    end
    return {'in_flight', remaining}
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return {'claimed'}

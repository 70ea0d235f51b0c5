-- ARGV: prefix, id, token, has_result ('1' or '0'), result, now
local id, token, now = ARGV[2], ARGV[3], ARGV[6]
if not held(id, token) then
  return 0
end
local key = jkey(id)
redis.call('HSET', key, 'state', 'done')
redis.call('HDEL', key, 'last_error', 'result')
if ARGV[4] == '1' then
  redis.call('HSET', key, 'result', ARGV[5])
end
settle(id, now)
move_state(id, 'running', 'done')
redis.call('ZADD', P .. 'finished', ms(now), id)
release_dedup(id)
return 1

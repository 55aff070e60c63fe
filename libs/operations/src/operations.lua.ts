/**
 * Lua scripts behind every state change of the store. Each runs atomically inside Redis, which is
 * what makes "first terminal status wins" and "cancel the whole tree in one step" true under races.
 * Records are hashes of flat string fields, so no script needs to re-encode JSON (Redis' cjson turns
 * empty arrays into objects).
 *
 * Every applied change also PUBLISHes the changed ids on `<base>events` (see RedisKeys.eventsChannel)
 * from inside the script, so a notice can never be missed by a change nor precede it: live event
 * streams re-read the record on each notice. A child's change names its parent as well.
 */

const COMMON = `
local base = ARGV[1]
local function is_terminal(s) return s == 'completed' or s == 'failed' or s == 'cancelled' end
local function set_fields(key, fields)
  for k, v in pairs(fields) do
    if v == cjson.null then redis.call('HDEL', key, k) else redis.call('HSET', key, k, v) end
  end
end
local function move_status(id, key, prev, new, now_iso, now_ms)
  local score = redis.call('HGET', key, 'created_ms')
  local typ = redis.call('HGET', key, 'operation_type')
  redis.call('ZREM', base .. 'idx:status:' .. prev, id)
  redis.call('ZADD', base .. 'idx:status:' .. new, score, id)
  redis.call('HSET', key, 'status', new)
  if new == 'running' then redis.call('HSET', key, 'started_at', now_iso) end
  if is_terminal(new) then
    redis.call('HSET', key, 'completed_at', now_iso)
    redis.call('ZREM', base .. 'idx:active', id)
    redis.call('ZREM', base .. 'idx:active:' .. typ, id)
    redis.call('ZADD', base .. 'idx:done:' .. typ, now_ms, id)
  end
end
local function notify(ids, key)
  local parent = redis.call('HGET', key, 'parent_operation_id')
  if parent then ids[#ids + 1] = parent end
  redis.call('PUBLISH', base .. 'events', table.concat(ids, ' '))
end
local function with_record(out, key)
  local all = redis.call('HGETALL', key)
  for i = 1, #all do out[#out + 1] = all[i] end
  return out
end
`;

/**
 * KEYS[1] op key. ARGV: base, id, now_iso, now_ms, mode ('transition'|'update'), to_status,
 * allowed ("from>to,..."), fields (JSON object; null deletes).
 * Returns {'OK', previous_status, ...record} | {'NOT_FOUND'} | {'TERMINAL', status} | {'INVALID', status}.
 */
export const MUTATE_SCRIPT = `${COMMON}
local key = KEYS[1]
local cur = redis.call('HGET', key, 'status')
if not cur then return {'NOT_FOUND'} end
if is_terminal(cur) then return {'TERMINAL', cur} end
local transition = ARGV[5] == 'transition'
if transition and not string.find(',' .. ARGV[7] .. ',', ',' .. cur .. '>' .. ARGV[6] .. ',', 1, true) then
  return {'INVALID', cur}
end
set_fields(key, cjson.decode(ARGV[8]))
if transition then move_status(ARGV[2], key, cur, ARGV[6], ARGV[3], ARGV[4]) end
notify({ARGV[2]}, key)
return with_record({'OK', cur}, key)
`;

/**
 * KEYS[1] op key. ARGV: base, id, type, created_ms, fields, parent_id|'', require_parent_running '1'|'0',
 * parent_fields, capacity|'', parent_guard_field|'', parent_guard_value.
 * The guard is a compare-and-set on one parent field: two orchestrators advancing the same cycle
 * cannot both create its next child.
 * Returns {'OK', ...record} | {'EXISTS'} | {'AT_CAPACITY', ...active ids oldest first} |
 * {'PARENT_NOT_FOUND'} | {'PARENT_NOT_RUNNING', status} | {'PARENT_MOVED', actual}.
 */
export const CREATE_SCRIPT = `${COMMON}
local key = KEYS[1]
local id, typ, score = ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', key) == 1 then return {'EXISTS'} end
if ARGV[9] ~= '' then
  local active = redis.call('ZRANGE', base .. 'idx:active:' .. typ, 0, -1)
  if #active >= tonumber(ARGV[9]) then
    local out = {'AT_CAPACITY'}
    for i = 1, #active do out[#out + 1] = active[i] end
    return out
  end
end
local parent = ARGV[6]
if parent ~= '' then
  local pkey = base .. 'op:' .. parent
  local pst = redis.call('HGET', pkey, 'status')
  if not pst then return {'PARENT_NOT_FOUND'} end
  if ARGV[7] == '1' and pst ~= 'running' then return {'PARENT_NOT_RUNNING', pst} end
  if ARGV[10] ~= '' then
    local actual = redis.call('HGET', pkey, ARGV[10])
    if actual ~= ARGV[11] then return {'PARENT_MOVED', tostring(actual)} end
  end
  set_fields(pkey, cjson.decode(ARGV[8]))
  redis.call('RPUSH', base .. 'children:' .. parent, id)
end
set_fields(key, cjson.decode(ARGV[5]))
redis.call('HSET', key, 'operation_id', id, 'operation_type', typ, 'status', 'pending', 'created_ms', score)
redis.call('ZADD', base .. 'idx:all', score, id)
redis.call('ZADD', base .. 'idx:type:' .. typ, score, id)
redis.call('ZADD', base .. 'idx:status:pending', score, id)
redis.call('ZADD', base .. 'idx:active', score, id)
redis.call('ZADD', base .. 'idx:active:' .. typ, score, id)
notify({id}, key)
return with_record({'OK'}, key)
`;

/**
 * KEYS[1] target key. ARGV: base, id, now_iso, now_ms, reason, child_reason, source.
 * Cancels the target and every non-terminal descendant (breadth first through children lists).
 * Returns {'OK', previous_status, ...cancelled descendant ids} | {'NOT_FOUND'} | {'TERMINAL', status}.
 */
export const CANCEL_TREE_SCRIPT = `${COMMON}
local target = ARGV[2]
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return {'NOT_FOUND'} end
if is_terminal(cur) then return {'TERMINAL', cur} end
local cancelled = {}
local queue = {target}
local i = 1
while i <= #queue do
  local node = queue[i]
  i = i + 1
  local nkey = base .. 'op:' .. node
  local st = redis.call('HGET', nkey, 'status')
  if st and not is_terminal(st) then
    move_status(node, nkey, st, 'cancelled', ARGV[3], ARGV[4])
    local reason = ARGV[6]
    if node == target then reason = ARGV[5] end
    redis.call('HSET', nkey, 'cancelled_at', ARGV[3], 'cancellation_reason', reason, 'cancelled_by', ARGV[7])
    if node ~= target then cancelled[#cancelled + 1] = node end
  end
  local kids = redis.call('LRANGE', base .. 'children:' .. node, 0, -1)
  for _, k in ipairs(kids) do queue[#queue + 1] = k end
end
local changed = {target}
for _, c in ipairs(cancelled) do changed[#changed + 1] = c end
notify(changed, KEYS[1])
-- The target's record rides along, so the caller answers from this one round trip.
local out = {'OK', cur, tostring(#cancelled)}
for _, c in ipairs(cancelled) do out[#out + 1] = c end
for _, f in ipairs(redis.call('HGETALL', KEYS[1])) do out[#out + 1] = f end
return out
`;

package actions

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// The move scripts share one frame and differ in what they do to a task once it is
// confirmed to be in the expected state and taken off the key that lists it.
//
// KEYS[1] pending list, KEYS[2] archived zset, KEYS[3] groups set (all in the queue's
// hash slot). ARGV[1] queue key prefix "asynq:{q}:", ARGV[2] expected state, ARGV[3]
// mode: "ids" moves ARGV[10..]; "range" moves the first ARGV[5] tasks of the state's key
// after the ARGV[4] left in place by earlier batches. ARGV[6] now, ARGV[7] the 90-day
// cutoff, ARGV[8] how many archived tasks to keep, ARGV[9] the most to trim per call
// (archive only).
//
// Reply: {moved, dropped, offset, id1, reason1, id2, reason2, ...}: how many moved, how
// many archived tasks the trim dropped, the offset for the next range batch, and each
// task left alone with its hash's state, "missing", "nostate", "wrongtype" or "unlisted".
//
// The expected state comes from us, never from a hash: a task hash's state only builds a
// key after it equals the expected one, so a hostile hash cannot point us at other keys.
const moveFrame = `
local prefix, want, mode = ARGV[1], ARGV[2], ARGV[3]
local out = {0, 0, 0}

local function hashState(tkey)
	local r = redis.pcall("HMGET", tkey, "state", "group")
	if r.err then return "wrongtype" end
	if not r[1] then
		if redis.call("EXISTS", tkey) == 0 then return "missing" end
		return "nostate"
	end
	return r[1], r[2]
end

local function unlist(id, group)
	if want == "pending" then
		return redis.call("LREM", KEYS[1], 1, id) > 0
	elseif want == "aggregating" then
		if not group then return false end
		local gkey = prefix .. "g:" .. group
		if redis.call("ZREM", gkey, id) == 0 then return false end
		if redis.call("ZCARD", gkey) == 0 then redis.call("SREM", KEYS[3], group) end
		return true
	end
	return redis.call("ZREM", prefix .. want, id) > 0
end

local function skip(id, why)
	out[#out + 1] = id
	out[#out + 1] = why
end

local function byIDs(move)
	for i = 10, #ARGV do
		local id = ARGV[i]
		local tkey = prefix .. "t:" .. id
		local state, group = hashState(tkey)
		if state ~= want then
			skip(id, state)
		elseif not unlist(id, group) then
			skip(id, "unlisted")
		else
			move(id, tkey)
			out[1] = out[1] + 1
		end
	end
end

-- A pending list is cut from its head (LTRIM, linear in the batch, where LREM per task
-- would be quadratic) and the tasks left alone are pushed back in their order.
local function byRange(move)
	local off, n = tonumber(ARGV[4]), tonumber(ARGV[5])
	local ids
	if want == "pending" then
		ids = redis.call("LRANGE", KEYS[1], 0, off + n - 1)
		redis.call("LTRIM", KEYS[1], #ids, -1)
	else
		ids = redis.call("ZRANGE", prefix .. want, off, off + n - 1)
	end
	local kept = {}
	for _, id in ipairs(ids) do
		local tkey = prefix .. "t:" .. id
		local state = hashState(tkey)
		if state == want then
			if want ~= "pending" then redis.call("ZREM", prefix .. want, id) end
			move(id, tkey)
			out[1] = out[1] + 1
		else
			skip(id, state)
			kept[#kept + 1] = id
		end
	end
	if want == "pending" then
		for i = #kept, 1, -1 do redis.call("LPUSH", KEYS[1], kept[i]) end
		out[3] = #kept
	else
		out[3] = off + #kept
	end
end

local function each(move)
	if mode == "ids" then byIDs(move) else byRange(move) end
end
`

// runScript requeues as runTaskCmd does: LPUSH to pending, state "pending", the stored
// message untouched.
var runScript = redis.NewScript(moveFrame + `
each(function(id, tkey)
	redis.call("LPUSH", KEYS[1], id)
	redis.call("HSET", tkey, "state", "pending")
end)
return out
`)

// archiveScript archives as archiveTaskCmd does, then trims the archive the way asynq's
// worker does when a task dies (rdb.Archive): tasks older than the cutoff, then the
// oldest beyond the cap, deleting their hashes. The trim is bounded per call; the next
// batch continues it.
var archiveScript = redis.NewScript(moveFrame + `
each(function(id, tkey)
	redis.call("ZADD", KEYS[2], ARGV[6], id)
	redis.call("HSET", tkey, "state", "archived")
end)
local function drop(ids)
	if #ids == 0 then return end
	for _, id in ipairs(ids) do redis.call("DEL", prefix .. "t:" .. id) end
	redis.call("ZREM", KEYS[2], unpack(ids))
	out[2] = out[2] + #ids
end
if out[1] > 0 then
	local limit = tonumber(ARGV[9])
	drop(redis.call("ZRANGE", KEYS[2], "-inf", ARGV[7], "BYSCORE", "LIMIT", 0, limit))
	local over = redis.call("ZCARD", KEYS[2]) - tonumber(ARGV[8])
	if over > limit then over = limit end
	if over > 0 then drop(redis.call("ZRANGE", KEYS[2], 0, over - 1)) end
end
return out
`)

// deleteScript deletes as deleteTaskCmd does, releasing the task's unique lock when the
// task holds it; a unique_key outside the queue's unique: prefix is not followed.
var deleteScript = redis.NewScript(moveFrame + `
local uprefix = prefix .. "unique:"
each(function(id, tkey)
	local ukey = redis.call("HGET", tkey, "unique_key")
	if ukey and string.sub(ukey, 1, #uprefix) == uprefix and redis.pcall("GET", ukey) == id then
		redis.call("DEL", ukey)
	end
	redis.call("DEL", tkey)
end)
return out
`)

// batch is one call of a move script: the selected ids, or (ids nil) the next size tasks
// of the state's key after offset.
type batch struct {
	ids    []string
	offset int
	size   int
}

// reply is what one move script call did.
type reply struct {
	moved, dropped, offset int
	skipped                []skip
}

// skip is one task left alone, and why: the state its hash is now in, or a problem.
type skip struct{ id, why string }

// archiveClock carries the archive's score and cutoff, read once per action.
type archiveClock struct{ now, cutoff int64 }

func newArchiveClock(now time.Time) archiveClock {
	return archiveClock{now: now.Unix(), cutoff: now.AddDate(0, 0, -archiveDays).Unix()}
}

// call runs one batch. The caller's cancellation is not passed down: cancelling a script
// in flight would only make its outcome unknown; the caller checks ctx between batches.
func (a *Actor) call(ctx context.Context, m *mover, q string, s model.State, c archiveClock,
	b batch,
) (reply, error) {
	mode := "range"
	if b.ids != nil {
		mode = "ids"
	}
	argv := make([]any, 0, 9+len(b.ids))
	argv = append(argv, queuePrefix(q), string(s), mode, b.offset, b.size,
		c.now, c.cutoff, archiveKeep, b.size+1000)
	for _, id := range b.ids {
		argv = append(argv, id)
	}
	keys := []string{stateKey(q, model.Pending), stateKey(q, model.Archived), groupsKey(q)}
	v, err := m.script.Run(context.WithoutCancel(ctx), a.rdb, keys, argv...).Slice()
	if err != nil {
		return reply{}, err
	}
	return parseReply(v)
}

func parseReply(v []any) (reply, error) {
	if len(v) < 3 || (len(v)-3)%2 != 0 {
		return reply{}, fmt.Errorf("unexpected script reply of %d values", len(v))
	}
	var r reply
	for i, p := range []*int{&r.moved, &r.dropped, &r.offset} {
		n, ok := v[i].(int64)
		if !ok {
			return reply{}, fmt.Errorf("unexpected script reply %T", v[i])
		}
		*p = int(n)
	}
	for i := 3; i < len(v); i += 2 {
		id, _ := v[i].(string)
		why, _ := v[i+1].(string)
		r.skipped = append(r.skipped, skip{id: id, why: why})
	}
	return r, nil
}

// outcomeUnknown reports whether a failed script call may still have run. Only errors
// that Redis or the client raise before the script starts are known not to have run;
// a timeout, a dropped connection, BUSY or an error inside the script may not.
func outcomeUnknown(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"NOPERM", "NOAUTH", "WRONGPASS", "READONLY", "NOSCRIPT",
		"redis: client is closed"} {
		if strings.HasPrefix(msg, p) {
			return false
		}
	}
	return true
}

// unknownErr explains an outcome-unknown failure: what is confirmed and what to do.
func (a *Actor) unknownErr(m *mover, q string, batches, moved int, err error) error {
	return &personError{kind: ErrOutcomeUnknown, cause: err, msg: fmt.Sprintf(
		"queue %s: outcome unknown after %s confirmed %s (%s tasks %s): %v; "+
			"re-read the queue before acting again",
		showQueue(q), commas(batches), plural(batches, "batch", "batches"), commas(moved), m.verb,
		a.reason(err))}
}

// reason says in a few words why a write's outcome is unknown.
func (a *Actor) reason(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("Redis at %s did not answer in time", a.src.Target())
	case strings.HasPrefix(err.Error(), "BUSY"):
		return fmt.Sprintf("Redis at %s is busy running another script", a.src.Target())
	}
	return strings.TrimSuffix(a.src.Explain("write", err).Error(), ".")
}

// Package wire decodes the records asynq v0.26 keeps in Redis: task messages, server and
// worker heartbeats, scheduler entries and scheduler enqueue events.
//
// asynq writes these as protobuf through internal packages that cannot be imported, so
// this package reads the wire format field by field with protowire. Every decoder
// tolerates fields it does not know (a newer asynq may add some), never panics on hostile
// bytes, and refuses input that is valid protobuf only by accident: see DecodeTask for the
// heuristic. Strings are returned as stored; making them safe to show is the caller's job.
package wire

import (
	"bytes"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// maxEntries bounds the map entries and repeated strings kept from one record, so that a
// hostile record costs bounded work and memory however it is built.
const maxEntries = 10000

// goZeroUnix is time.Time{}.Unix(): what timestamppb.New writes for a zero time, which
// asynq does for a scheduler entry that never ran.
const goZeroUnix = -62135596800

// DecodeError reports bytes that are not the asynq record they were read as.
type DecodeError struct {
	// Kind names the record, e.g. "task message" or "server info".
	Kind string
	// Err says what was wrong with the bytes.
	Err error
}

// Error returns "not an asynq <kind>: <reason>".
func (e *DecodeError) Error() string {
	return "not an asynq " + e.Kind + ": " + e.Err.Error()
}

// Unwrap returns the underlying reason.
func (e *DecodeError) Unwrap() error { return e.Err }

// schema maps the field numbers of one message to the wire type asynq writes them with.
type schema map[protowire.Number]protowire.Type

// field is one field read from the wire: a varint value or a length-delimited slice.
type field struct {
	num    protowire.Number
	varint uint64
	bytes  []byte
}

// walk calls fn for each field of b listed in s, and skips the others. A listed field
// with another wire type is an error: asynq never writes one, so such bytes are junk.
func walk(b []byte, s schema, fn func(field) error) error {
	for off := 0; off < len(b); {
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			return fmt.Errorf("byte %d: bad tag: %w", off, protowire.ParseError(n))
		}
		want, known := s[num]
		if known && want != typ {
			return fmt.Errorf("byte %d: field %d has wire type %d, want %d", off, num, typ, want)
		}
		f, m := consumeValue(num, typ, b[off+n:])
		if m < 0 {
			return fmt.Errorf("byte %d: field %d: %w", off, num, protowire.ParseError(m))
		}
		off += n + m
		if !known {
			continue
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("field %d: %w", num, err)
		}
	}
	return nil
}

// consumeValue reads the value of one field whose tag has been consumed; protowire
// checks every length against the bytes left, so a length prefix never allocates.
func consumeValue(num protowire.Number, typ protowire.Type, b []byte) (field, int) {
	f := field{num: num}
	var n int
	switch typ {
	case protowire.VarintType:
		f.varint, n = protowire.ConsumeVarint(b)
	case protowire.BytesType:
		f.bytes, n = protowire.ConsumeBytes(b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, b)
	}
	return f, n
}

// str returns the field as a string (a copy, so the record may reuse its buffer).
func (f field) str() string { return string(f.bytes) }

// blob returns a copy of the field's bytes, nil when empty.
func (f field) blob() []byte {
	if len(f.bytes) == 0 {
		return nil
	}
	return bytes.Clone(f.bytes)
}

// i32 returns the field as protobuf's int32: the low 32 bits of the varint.
func (f field) i32() int { return int(int32(f.varint)) }

// i64 returns the field as protobuf's int64.
func (f field) i64() int64 { return int64(f.varint) }

// unixTime turns asynq's Unix seconds into a time, with 0 (unset) as the zero time.
func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// unixSeconds is the inverse of unixTime.
func unixSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// seconds turns asynq's whole seconds into a duration, clamped rather than wrapped when a
// hostile value is out of range.
func seconds(s int64) time.Duration {
	const limit = math.MaxInt64 / int64(time.Second)
	switch {
	case s > limit:
		return math.MaxInt64
	case s < -limit:
		return math.MinInt64
	}
	return time.Duration(s) * time.Second
}

// timestamp is a google.protobuf.Timestamp as read so far; fields seen again overwrite,
// which is protobuf's merge of a repeated message field.
type timestamp struct {
	sec   int64
	nanos int32
}

var timestampSchema = schema{1: protowire.VarintType, 2: protowire.VarintType}

// merge reads an encoded Timestamp into t.
func (t *timestamp) merge(b []byte) error {
	return walk(b, timestampSchema, func(f field) error {
		if f.num == 1 {
			t.sec = f.i64()
		} else {
			t.nanos = int32(f.varint)
		}
		return nil
	})
}

// time returns t, with both the Unix epoch (an absent Timestamp) and Go's zero time
// (timestamppb.New of time.Time{}) read as the zero time: no asynq record means either.
func (t timestamp) time() time.Time {
	if t.nanos == 0 && (t.sec == 0 || t.sec == goZeroUnix) {
		return time.Time{}
	}
	return time.Unix(t.sec, int64(t.nanos)).UTC()
}

// mapEntry is one entry of a protobuf map<string, V>: key field 1, value field 2.
type mapEntry struct {
	key string
	val field
}

// decodeEntry reads a map entry whose value has wire type valType.
func decodeEntry(b []byte, valType protowire.Type) (mapEntry, error) {
	var e mapEntry
	s := schema{1: protowire.BytesType, 2: valType}
	err := walk(b, s, func(f field) error {
		if f.num == 1 {
			e.key = f.str()
		} else {
			e.val = f
		}
		return nil
	})
	return e, err
}

// checkUTF8 reports an error when the string named name is not valid UTF-8.
func checkUTF8(name, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8", name)
	}
	return nil
}

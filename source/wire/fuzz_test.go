package wire

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// taskSeeds are inputs near the interesting edges: real encodings, legacy JSON, junk.
func taskSeeds() [][]byte {
	trailing := append(EncodeTask(fullTask()), 0x80)
	group := protowire.AppendTag(appendString(nil, taskType, "t"), 70, protowire.StartGroupType)
	return [][]byte{
		nil,
		EncodeTask(fullTask()),
		EncodeTask(TaskMessage{Type: "t"}),
		trailing,
		group,
		[]byte(`{"Type":"t","Payload":{"a":[1,2]},"ID":"x","Timeout":"1h","Deadline":1}`),
		[]byte(`{"Type":"t","Timeout":1e300,"Deadline":-1e300}`),
		[]byte("\x0a\xff\xff\xff\xff\x0f"),
		[]byte("hello"),
	}
}

// FuzzDecodeTask checks DecodeTask never panics, and that whatever it accepts survives
// EncodeTask: decoding the encoding gives a message that encodes to the same bytes.
func FuzzDecodeTask(f *testing.F) {
	for _, s := range taskSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeTask(b)
		if err != nil {
			return
		}
		enc := EncodeTask(m)
		again, err := DecodeTask(enc)
		if err != nil {
			t.Fatalf("DecodeTask(EncodeTask(%+v)): %v", m, err)
		}
		if again.Legacy {
			t.Fatalf("EncodeTask output read as legacy JSON: %q", enc)
		}
		if !bytes.Equal(EncodeTask(again), enc) {
			t.Fatalf("EncodeTask is not stable for %+v", m)
		}
	})
}

// FuzzDecodeRecords checks the server, worker and scheduler decoders never panic and
// never return both a value and an error.
func FuzzDecodeRecords(f *testing.F) {
	f.Add([]byte(nil))
	f.Add(EncodeTask(fullTask()))
	f.Add(timestampField(appendString(nil, 1, "x"), 2, goZeroUnix, 0))
	f.Add(queueEntry(appendString(nil, 1, "h"), "q", 1))
	f.Add(timestampField(appendString(nil, 4, "id"), 9, -1, -1))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := DecodeServer(b); err != nil && s.Host+s.ServerID != "" {
			t.Fatalf("DecodeServer returned %+v with %v", s, err)
		}
		if w, err := DecodeWorker(b); err != nil && w.TaskID != "" {
			t.Fatalf("DecodeWorker returned %+v with %v", w, err)
		}
		if e, err := DecodeSchedulerEntry(b); err != nil && e.ID != "" {
			t.Fatalf("DecodeSchedulerEntry returned %+v with %v", e, err)
		}
		if ev, err := DecodeSchedulerEvent(b); err != nil && ev.TaskID != "" {
			t.Fatalf("DecodeSchedulerEvent returned %+v with %v", ev, err)
		}
	})
}

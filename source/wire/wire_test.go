package wire

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// fullTask sets every field, with values that exercise the encoding's edges.
func fullTask() TaskMessage {
	return TaskMessage{
		Type:         "email:send",
		Payload:      []byte{0, 1, 2, 0xff},
		Headers:      map[string]string{"trace": "abc", "": "empty key", "empty value": ""},
		ID:           "odd id:{x}/ü\n\"'",
		Queue:        "critical",
		Retry:        7,
		Retried:      3,
		ErrorMsg:     "boom",
		LastFailedAt: time.Unix(1700000000, 0).UTC(),
		Timeout:      90 * time.Second,
		Deadline:     time.Unix(1800000000, 0).UTC(),
		UniqueKey:    "asynq:{critical}:unique:abc",
		GroupKey:     "batch",
		Retention:    2 * time.Hour,
		CompletedAt:  time.Unix(1700000100, 0).UTC(),
	}
}

func TestEncodeDecodeTaskRoundTrip(t *testing.T) {
	cases := map[string]TaskMessage{
		"full":             fullTask(),
		"type only":        {Type: "t"},
		"ID only":          {ID: "x"},
		"negative numbers": {Type: "t", ID: "x", Retry: -1, Retried: -2147483648},
		"before epoch":     {Type: "t", Deadline: time.Unix(-5, 0).UTC()},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := DecodeTask(EncodeTask(want))
			if err != nil {
				t.Fatalf("DecodeTask: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestEncodeTaskTruncatesToSeconds(t *testing.T) {
	m := TaskMessage{Type: "t", Timeout: 1500 * time.Millisecond, Retention: time.Second - 1}
	got, err := DecodeTask(EncodeTask(m))
	if err != nil {
		t.Fatal(err)
	}
	if got.Timeout != time.Second || got.Retention != 0 {
		t.Errorf("Timeout %v, Retention %v; want 1s, 0s", got.Timeout, got.Retention)
	}
}

func TestDecodeTaskToleratesUnknownFields(t *testing.T) {
	want := fullTask()
	b := EncodeTask(want)
	b = protowire.AppendTag(b, 99, protowire.VarintType)
	b = protowire.AppendVarint(b, 12345)
	b = protowire.AppendTag(b, 100, protowire.BytesType)
	b = protowire.AppendString(b, "future field")
	b = protowire.AppendTag(b, 101, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, 7)
	b = protowire.AppendTag(b, 102, protowire.StartGroupType)
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, 1)
	b = protowire.AppendTag(b, 102, protowire.EndGroupType)

	got, err := DecodeTask(b)
	if err != nil {
		t.Fatalf("DecodeTask: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDecodeTaskLastFieldWins(t *testing.T) {
	b := EncodeTask(TaskMessage{Type: "first", Retry: 1})
	b = append(b, EncodeTask(TaskMessage{Type: "second", Retry: 2})...)
	got, err := DecodeTask(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "second" || got.Retry != 2 {
		t.Errorf("got Type %q Retry %d; want second, 2", got.Type, got.Retry)
	}
}

func TestDecodeTaskClampsHostileDurations(t *testing.T) {
	var b []byte
	b = appendString(b, taskType, "t")
	b = appendInt(b, taskTimeout, 1<<62)
	b = appendInt(b, taskRetention, -1<<62)
	got, err := DecodeTask(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Timeout <= 0 || got.Retention >= 0 {
		t.Errorf("Timeout %v, Retention %v; want clamped, not wrapped", got.Timeout, got.Retention)
	}
}

func TestDecodeTaskRejects(t *testing.T) {
	huge := protowire.AppendTag(nil, taskPayload, protowire.BytesType)
	huge = protowire.AppendVarint(huge, 1<<62)
	badType := protowire.AppendTag(nil, taskType, protowire.VarintType)
	badType = protowire.AppendVarint(badType, 1)
	unknownOnly := protowire.AppendTag(nil, 50, protowire.VarintType)
	unknownOnly = protowire.AppendVarint(unknownOnly, 1)
	deep := bytes.Repeat(protowire.AppendTag(nil, 60, protowire.StartGroupType), 20000)

	cases := map[string]struct {
		in   []byte
		want string
	}{
		"empty":                {nil, "empty value"},
		"length past the end":  {huge, "field 2"},
		"wrong wire type":      {badType, "field 1 has wire type 0, want 2"},
		"unknown fields only":  {unknownOnly, "no task type and no task ID"},
		"invalid UTF-8 type":   {EncodeTask(TaskMessage{Type: "\xff", ID: "x"}), "task type"},
		"invalid UTF-8 ID":     {EncodeTask(TaskMessage{Type: "t", ID: "a\xc0"}), "task ID"},
		"invalid UTF-8 queue":  {EncodeTask(TaskMessage{Type: "t", Queue: "\xfe"}), "queue"},
		"truncated varint":     {[]byte{0x28, 0xff}, "protobuf"},
		"field number zero":    {[]byte{0x02, 0x00}, "bad tag"},
		"deep groups":          {deep, "protobuf"},
		"plain text":           {[]byte("hello world"), "not an asynq task message"},
		"broken JSON":          {[]byte(`{"Type": "x"`), "legacy JSON"},
		"JSON without type/ID": {[]byte(`{"Queue": "default"}`), "no task type and no task ID"},
		"JSON array":           {[]byte(`[1, 2]`), "not a JSON object"},
		"JSON wrong types":     {[]byte(`{"Type": 5}`), "legacy JSON"},
		"JSON bad timeout":     {[]byte(`{"Type": "t", "Timeout": "soon"}`), "Timeout"},
		"JSON bad deadline":    {[]byte(`{"Type": "t", "Deadline": "tomorrow"}`), "Deadline"},
		"bad header entry":     {headerEntry([]byte{0x0a, 0x05}), "field 15"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeTask(c.in)
			var de *DecodeError
			if !errors.As(err, &de) || de.Kind != "task message" {
				t.Fatalf("err = %v; want a *DecodeError for a task message", err)
			}
			if !strings.HasPrefix(err.Error(), "not an asynq task message: ") {
				t.Errorf("err = %q; want it to start with the kind", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %q; want it to mention %q", err, c.want)
			}
		})
	}
}

// headerEntry wraps raw bytes as the value of a headers field after a valid task type.
func headerEntry(entry []byte) []byte {
	b := appendString(nil, taskType, "t")
	b = protowire.AppendTag(b, taskHeaders, protowire.BytesType)
	return protowire.AppendBytes(b, entry)
}

func TestDecodeTaskCapsHeaders(t *testing.T) {
	headers := make(map[string]string, maxEntries+1)
	for i := 0; i <= maxEntries; i++ {
		headers[strconv.Itoa(i)] = ""
	}
	_, err := DecodeTask(EncodeTask(TaskMessage{Type: "t", Headers: headers}))
	if err == nil || !strings.Contains(err.Error(), "more than 10000 headers") {
		t.Errorf("err = %v; want the header cap", err)
	}
}

func TestDecodeTaskLengthPrefixDoesNotAllocate(t *testing.T) {
	b := protowire.AppendTag(nil, taskPayload, protowire.BytesType)
	b = protowire.AppendVarint(b, 1<<40)
	b = append(b, "short"...)
	allocs := testing.AllocsPerRun(10, func() { _, _ = DecodeTask(b) })
	if allocs > 40 {
		t.Errorf("%v allocations for a 1 TiB length prefix", allocs)
	}
}

func TestDecodeTaskLegacy(t *testing.T) {
	cases := map[string]struct {
		in   string
		want TaskMessage
	}{
		"v0.17 json.Marshal": {
			in: `{"Type":"email:send","Payload":{"user_id":42,"to":"a@b.c"},` +
				`"ID":"8d3c3c56-6b5f-4a8e-9a0c-2f1c9d5d3a11","Queue":"default","Retry":25,` +
				`"Retried":2,"ErrorMsg":"smtp down","Timeout":1800,"Deadline":1600000000,` +
				`"UniqueKey":"asynq:{default}:unique:email:send:abc"}`,
			want: TaskMessage{
				Type: "email:send", Payload: []byte(`{"user_id":42,"to":"a@b.c"}`),
				ID: "8d3c3c56-6b5f-4a8e-9a0c-2f1c9d5d3a11", Queue: "default", Retry: 25,
				Retried: 2, ErrorMsg: "smtp down", Timeout: 30 * time.Minute,
				Deadline:  time.Unix(1600000000, 0).UTC(),
				UniqueKey: "asynq:{default}:unique:email:send:abc", Legacy: true,
			},
		},
		"string timeout and deadline": {
			in: ` {"Type":"report","Payload":null,"ID":"x","Queue":"low",` +
				`"Timeout":"30m0s","Deadline":"2020-09-13T12:26:40Z"}` + "\n",
			want: TaskMessage{
				Type: "report", ID: "x", Queue: "low", Timeout: 30 * time.Minute,
				Deadline: time.Unix(1600000000, 0).UTC(), Legacy: true,
			},
		},
		"zero deadline string and no timeout": {
			in: `{"type":"t","Deadline":"0001-01-01T00:00:00Z","Timeout":null}`,
			want: TaskMessage{
				Type: "t", Legacy: true,
			},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := DecodeTask([]byte(c.in))
			if err != nil {
				t.Fatalf("DecodeTask: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// timestampField encodes a google.protobuf.Timestamp as field num.
func timestampField(b []byte, num protowire.Number, sec int64, nanos int32) []byte {
	var ts []byte
	if sec != 0 {
		ts = protowire.AppendTag(ts, 1, protowire.VarintType)
		ts = protowire.AppendVarint(ts, uint64(sec))
	}
	if nanos != 0 {
		ts = protowire.AppendTag(ts, 2, protowire.VarintType)
		ts = protowire.AppendVarint(ts, uint64(int64(nanos)))
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, ts)
}

// queueEntry encodes one entry of ServerInfo.queues.
func queueEntry(b []byte, name string, prio int64) []byte {
	e := appendString(nil, 1, name)
	e = protowire.AppendTag(e, 2, protowire.VarintType)
	e = protowire.AppendVarint(e, uint64(prio))
	b = protowire.AppendTag(b, 5, protowire.BytesType)
	return protowire.AppendBytes(b, e)
}

func TestDecodeServer(t *testing.T) {
	var b []byte
	b = appendString(b, 1, "web-1")
	b = appendInt(b, 2, 4242)
	b = appendString(b, 3, "srv-uuid")
	b = appendInt(b, 4, 10)
	b = queueEntry(b, "critical", 6)
	b = queueEntry(b, "default", 3)
	b = queueEntry(b, "critical", 7) // a repeated key: the last one wins
	b = appendInt(b, 6, 1)
	b = appendString(b, 7, "active")
	b = timestampField(b, 8, 1700000000, 500)
	b = appendInt(b, 9, 2)

	got, err := DecodeServer(b)
	if err != nil {
		t.Fatal(err)
	}
	want := ServerInfo{
		Host: "web-1", PID: 4242, ServerID: "srv-uuid", Concurrency: 10,
		Queues: map[string]int{"critical": 7, "default": 3}, StrictPriority: true,
		Status: "active", Started: time.Unix(1700000000, 500).UTC(), ActiveWorkers: 2,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDecodeWorker(t *testing.T) {
	var b []byte
	b = appendString(b, 1, "web-1")
	b = appendInt(b, 2, 7)
	b = appendString(b, 3, "srv")
	b = appendString(b, 4, "task-1")
	b = appendString(b, 5, "email:send")
	b = appendBytes(b, 6, []byte("{}"))
	b = appendString(b, 7, "default")
	b = timestampField(b, 8, 1700000000, 0)
	b = timestampField(b, 9, 1700000000, 0)
	b = timestampField(b, 9, 0, 250) // a repeated message merges into the first

	got, err := DecodeWorker(b)
	if err != nil {
		t.Fatal(err)
	}
	want := WorkerInfo{
		Host: "web-1", PID: 7, ServerID: "srv", TaskID: "task-1", TaskType: "email:send",
		TaskPayload: []byte("{}"), Queue: "default", Started: time.Unix(1700000000, 0).UTC(),
		Deadline: time.Unix(1700000000, 250).UTC(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDecodeSchedulerEntry(t *testing.T) {
	var b []byte
	b = appendString(b, 1, "entry-1")
	b = appendString(b, 2, "@every 1h")
	b = appendString(b, 3, "report")
	b = appendString(b, 5, `Queue("low")`)
	b = appendString(b, 5, "MaxRetry(2)")
	b = timestampField(b, 6, 1700003600, 0)
	b = timestampField(b, 7, goZeroUnix, 0) // what asynq writes for "never enqueued"

	got, err := DecodeSchedulerEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	want := SchedulerEntry{
		ID: "entry-1", Spec: "@every 1h", TaskType: "report",
		Options: []string{`Queue("low")`, "MaxRetry(2)"}, Next: time.Unix(1700003600, 0).UTC(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDecodeSchedulerEvent(t *testing.T) {
	b := appendString(nil, 1, "task-9")
	b = timestampField(b, 2, 1700000000, 0)
	got, err := DecodeSchedulerEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	want := SchedulerEvent{TaskID: "task-9", Enqueued: time.Unix(1700000000, 0).UTC()}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestDecodeRecordsReject(t *testing.T) {
	manyQueues := appendString(nil, 1, "h")
	for i := 0; i <= maxEntries; i++ {
		manyQueues = queueEntry(manyQueues, strconv.Itoa(i), 1)
	}
	badTime := appendString(nil, 1, "t")
	badTime = protowire.AppendTag(badTime, 2, protowire.BytesType)
	badTime = protowire.AppendBytes(badTime, []byte{0x0a, 0x01, 0x00})
	cases := map[string]struct {
		decode func([]byte) error
		in     []byte
		want   string
	}{
		"server empty":       {decodeServer, nil, "not an asynq server info: empty value"},
		"server no identity": {decodeServer, appendInt(nil, 4, 3), "no host and no server ID"},
		"server many queues": {decodeServer, manyQueues, "more than 10000 queues"},
		"server task bytes":  {decodeServer, EncodeTask(fullTask()), "wire type"},
		"worker no task ID":  {decodeWorker, appendString(nil, 1, "h"), "no task ID"},
		"worker junk":        {decodeWorker, []byte("\xff\xff\xff"), "worker info"},
		"entry no ID":        {decodeSchedEntry, appendString(nil, 2, "@daily"), "no entry ID"},
		"entry junk":         {decodeSchedEntry, []byte{0x0b}, "scheduler entry"},
		"event no task ID":   {decodeEvent, timestampField(nil, 2, 1, 0), "no task ID"},
		"event bad time":     {decodeEvent, badTime, "field 2: byte 0: field 1 has wire type"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := c.decode(c.in)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v; want a *DecodeError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %q; want it to mention %q", err, c.want)
			}
		})
	}
}

func decodeServer(b []byte) error     { _, err := DecodeServer(b); return err }
func decodeWorker(b []byte) error     { _, err := DecodeWorker(b); return err }
func decodeSchedEntry(b []byte) error { _, err := DecodeSchedulerEntry(b); return err }
func decodeEvent(b []byte) error      { _, err := DecodeSchedulerEvent(b); return err }

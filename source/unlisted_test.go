package source_test

import (
	"context"
	"testing"

	"github.com/asynqtop/asynqtop/source/redistest"
	"github.com/hibiken/asynq"
)

// TestUnlistedQueueInUse empties Redis under a running asynq client, as a restart
// without persistence does. The client registered "webhooks" in asynq:queues once, so
// the tasks it enqueues next live in an unlisted queue. Known from live servers'
// configuration (extra), it is read like any queue and is in use; a configured queue
// with no keys at all is not.
func TestUnlistedQueueInUse(t *testing.T) {
	srv := redistest.Start(t)
	rdb, src, ctx := rawClient(t, srv), openSource(t, srv), context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: srv.Addr})
	defer client.Close()
	enqueue := func() {
		t.Helper()
		if _, err := client.Enqueue(asynq.NewTask("x", nil), asynq.Queue("webhooks")); err != nil {
			t.Fatal(err)
		}
	}
	enqueue()
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	enqueue()
	enqueue()

	qs := refreshed(t, src, "webhooks", "configured-only")
	if w := qs["webhooks"]; w.Registered || !w.InUse() || w.Pending != 2 || w.Err != "" {
		t.Errorf("webhooks = %+v, want unlisted, in use, 2 pending", w)
	}
	if c := qs["configured-only"]; c.Registered || c.InUse() || c.Err != "" {
		t.Errorf("configured-only = %+v, want unlisted and unused", c)
	}
	if len(qs) != 2 {
		t.Errorf("queues %v, want the two configured ones", qs)
	}
}

package actions_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/model"
)

// TestRemoveDangling clears IDs whose task hash is gone, from a list and a sorted set,
// and leaves an ID whose hash exists.
func TestRemoveDangling(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kept := e.archived("q", 1)[0]
	rdb := e.rdb
	rdb.LPush(ctx, "asynq:{q}:pending", "ghost-1")
	rdb.ZAdd(ctx, "asynq:{q}:archived", redis.Z{Score: 1, Member: "ghost-2"})

	res, err := e.act.RemoveDangling(ctx, "q", model.Pending, []string{"ghost-1"})
	if err != nil || res.Done != 1 {
		t.Fatalf("pending: %+v, %v", res, err)
	}
	res, err = e.act.RemoveDangling(ctx, "q", model.Archived, []string{"ghost-2", kept})
	if err != nil || res.Done != 1 || res.Skipped != 1 {
		t.Fatalf("archived: %+v, %v", res, err)
	}
	if got := e.members("q", model.Archived); len(got) != 1 || got[0] != kept {
		t.Errorf("archived now holds %v, want only %s", got, kept)
	}
	if n, _ := rdb.LLen(ctx, "asynq:{q}:pending").Result(); n != 0 {
		t.Errorf("pending still lists %d IDs", n)
	}
}

package source

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/asynqtop/asynqtop/source/wire"
	"github.com/redis/go-redis/v9"
)

// Servers reads every asynq server's heartbeat in two round trips, without writing:
// asynq's Inspector.Servers prunes expired entries while it reads, so it is never used
// here. A server whose heartbeat lapsed is returned with its expiry, so the view can
// mark it stale; a record that cannot be decoded is skipped.
func (s *Source) Servers(ctx context.Context) ([]model.Server, error) {
	entries, err := s.rdb.ZRangeWithScores(ctx, keyServers, 0, -1).Result()
	if err != nil {
		return nil, s.explain("read servers", err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	gets := make([]*redis.StringCmd, len(entries))
	for i, e := range entries {
		gets[i] = pipe.Get(ctx, memberString(e.Member))
	}
	if _, err := pipe.Exec(ctx); err != nil && isConnError(err) {
		return nil, s.explain("read servers", err)
	}
	out := make([]model.Server, 0, len(entries))
	for i, e := range entries {
		raw, err := gets[i].Bytes()
		if errors.Is(err, redis.Nil) || err != nil {
			continue // heartbeat key expired between the two reads
		}
		info, err := wire.DecodeServer(raw)
		if err != nil {
			continue
		}
		out = append(out, model.Server{
			Host: info.Host, PID: info.PID, ID: info.ServerID,
			Concurrency: info.Concurrency, Queues: info.Queues,
			StrictPriority: info.StrictPriority, Status: info.Status,
			Started: info.Started, ActiveWorkers: info.ActiveWorkers,
			Expires: time.Unix(int64(e.Score), 0),
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].PID < out[j].PID
	})
	return out, nil
}

func memberString(m any) string {
	s, _ := m.(string)
	return s
}

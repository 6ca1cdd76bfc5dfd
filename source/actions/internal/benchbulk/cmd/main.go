// Command benchbulk compares asynq's Inspector.RunAllArchivedTasks with asynqtop's
// batched RunAll on a redis-server it starts itself: throughput, and how long a PING
// sent every millisecond on another connection had to wait. scripts/bench-bulk.sh runs
// it; it needs only redis-server on PATH.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/asynqtop/asynqtop/source/actions/internal/benchbulk"
)

func main() {
	n := flag.Int("n", 100000, "archived tasks to requeue in each run")
	flag.Parse()
	if err := run(*n); err != nil {
		fmt.Fprintln(os.Stderr, "bench-bulk:", err)
		os.Exit(1)
	}
}

func run(n int) error {
	ctx := context.Background()
	addr, stop, err := startRedis()
	if err != nil {
		return err
	}
	defer stop()

	env, err := benchbulk.Open(ctx, addr)
	if err != nil {
		return err
	}
	defer env.Src.Close()
	fmt.Printf("redis %s on %s\n", env.Src.Version(ctx), addr)

	theirs, err := env.Asynq(ctx, "bench-asynq", n)
	if err != nil {
		return fmt.Errorf("asynq run: %w", err)
	}
	ours, err := env.Ours(ctx, "bench-asynqtop", n)
	if err != nil {
		return fmt.Errorf("asynqtop run: %w", err)
	}
	fmt.Print(benchbulk.Report(n, theirs, ours))
	return nil
}

// startRedis starts a throwaway redis-server on a free loopback port.
func startRedis() (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	dir, err := os.MkdirTemp("", "bench-bulk-redis")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", dir+"/redis.log")
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("start redis-server (install it: apt-get install -y "+
			"redis-server): %w", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitReady(addr); err != nil {
		stop()
		return "", nil, err
	}
	return addr, stop, nil
}

func waitReady(addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DisableIdentity: true})
	defer c.Close()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if c.Ping(context.Background()).Err() == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("redis-server on " + addr + " did not answer within 5 s")
}

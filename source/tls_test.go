package source_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
)

// TestTLS connects to a real redis-server that serves only TLS: with the CA it works,
// and every way of getting TLS wrong is one clear line.
func TestTLS(t *testing.T) {
	tlsSrv := redistest.Start(t, redistest.WithTLS(t.TempDir()))
	plain := redistest.Start(t)
	ctx := context.Background()

	src, err := source.Open(ctx, source.Options{URL: "rediss://" + tlsSrv.Addr + "/0",
		TLSCA: tlsSrv.TLS.CA})
	if err != nil {
		t.Fatalf("TLS with the CA: %v", err)
	}
	if _, err := src.Refresh(ctx, nil); err != nil {
		t.Fatalf("refresh over TLS: %v", err)
	}
	if !strings.Contains(src.Target(), "TLS") {
		t.Errorf("target %q does not say TLS", src.Target())
	}
	src.Close()

	cases := map[string]struct {
		opts source.Options
		want string
	}{
		"unknown CA": {source.Options{URL: "rediss://" + tlsSrv.Addr + "/0"},
			"not signed by a CA this machine trusts"},
		// A plain Redis waits for the end of a command line that a TLS hello never sends.
		"TLS to a plain port": {source.Options{URL: "rediss://" + plain.Addr + "/0",
			TLSCA: tlsSrv.TLS.CA, DialTimeout: time.Second}, "TLS mismatch"},
		"CA without rediss": {source.Options{URL: plain.URL(), TLSCA: tlsSrv.TLS.CA},
			"not rediss://"},
		"missing CA file": {source.Options{URL: "rediss://" + tlsSrv.Addr + "/0",
			TLSCA: "/nonexistent/ca.pem"}, "cannot read the TLS CA file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := source.Open(ctx, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) ||
				strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %v, want one line saying %q", err, c.want)
			}
		})
	}
}

// TestUnixSocket opens a real redis-server by its unix socket.
func TestUnixSocket(t *testing.T) {
	sock := t.TempDir() + "/redis.sock"
	redistest.Start(t, redistest.WithConfig("unixsocket "+sock, "unixsocketperm 700"))
	src, err := source.Open(context.Background(), source.Options{URL: "unix://" + sock + "?db=0"})
	if err != nil {
		t.Fatalf("unix socket: %v", err)
	}
	defer src.Close()
	if _, err := src.Refresh(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

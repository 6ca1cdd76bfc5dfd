package source

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestExplainReadsWell checks the wording of every kind of error: a verb phrase, the
// preposition that goes with it, the host, and why.
func TestExplainReadsWell(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp",
		Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	noAuth := errors.New("NOAUTH Authentication required.")
	wrongType := errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")
	cases := map[string]struct {
		secret, what string
		err          error
		want         string
	}{
		"refused": {what: "connect", err: refused,
			want: "cannot connect to h:1/0: connection refused (is Redis running there? " +
				"check --redis)"},
		"reading queues": {what: "read queues", err: reset,
			want: "cannot read queues from h:1/0: connection reset by peer"},
		"writing": {what: "write", err: context.DeadlineExceeded,
			want: "cannot write to h:1/0: no answer in time (host down, firewall, or TLS " +
				"mismatch?)"},
		"counting": {what: `count pending tasks of queue "q"`, err: wrongType,
			want: `cannot count pending tasks of queue "q" on h:1/0: WRONGTYPE Operation ` +
				"against a key holding the wrong kind of value"},
		"unknown host": {what: "connect", err: &net.DNSError{Name: "nohost", Err: "no such host"},
			want: `cannot connect to h:1/0: unknown host "nohost" (check --redis)`},
		"no password given": {what: "connect", err: noAuth,
			want: "cannot connect to h:1/0: the server requires a password: set " +
				"ASYNQTOP_REDIS_PASSWORD, --password-file or put it in the URL"},
		"wrong password": {secret: "pw", what: "connect", err: errors.New("WRONGPASS pw"),
			want: "cannot connect to h:1/0: authentication failed for user default (wrong " +
				"password? set ASYNQTOP_REDIS_PASSWORD or --password-file)"},
		"password echoed": {secret: "pw1", what: "read", err: errors.New("ERR near pw1"),
			want: "cannot read from h:1/0: ERR near ***"},
	}
	for name, c := range cases {
		s := &Source{target: "h:1/0", secret: c.secret}
		if got := s.explain(c.what, c.err).Error(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", name, got, c.want)
		}
	}
}

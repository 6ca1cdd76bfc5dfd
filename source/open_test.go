package source_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/redistest"
)

func TestOpenErrorsAreOneClearLineWithoutSecret(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	srv := redistest.Start(t, redistest.WithPassword(secret))
	free, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		opts source.Options
		want string
	}{
		"wrong password": {
			opts: source.Options{URL: "redis://:wrong-" + secret + "@" + srv.Addr + "/0"},
			want: "cannot connect to " + srv.Addr + "/0: authentication failed for user " +
				"default (wrong password?",
		},
		"no password": {
			opts: source.Options{URL: srv.URL()},
			want: "cannot connect to " + srv.Addr + "/0: the server requires a password: " +
				"set ASYNQTOP_REDIS_PASSWORD, --password-file or put it in the URL",
		},
		"refused": {
			opts: source.Options{URL: "redis://:" + secret + "@127.0.0.1:" + strconv.Itoa(free)},
			want: "cannot connect to 127.0.0.1:" + strconv.Itoa(free) + "/0: connection refused",
		},
		"unknown host": {
			opts: source.Options{URL: "redis://:" + secret + "@no-such-host.invalid:6379/0"},
			want: "cannot connect to no-such-host.invalid:6379/0: unknown host",
		},
		"bad url": {
			opts: source.Options{URL: "http://:" + secret + "@x"},
			want: "invalid Redis URL",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := source.Open(context.Background(), c.opts)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q does not say %q", msg, c.want)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
				t.Errorf("error %q leaks the secret or spans lines", msg)
			}
		})
	}

	src, err := source.Open(context.Background(), source.Options{URL: srv.URL(), Password: secret})
	if err != nil {
		t.Fatalf("password option: %v", err)
	}
	if strings.Contains(src.Target(), secret) {
		t.Errorf("target %q shows the secret", src.Target())
	}
	src.Close()
}

// Package source is the only code in asynqtop that talks to Redis. Its read paths use
// asynq v0.26.0's key layout directly with pipelined plain commands (never a Lua script,
// never a write); operator actions live in source/actions.
package source

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/asynqtop/asynqtop/model"
	"github.com/redis/go-redis/v9"
)

// Options say which Redis to open and how.
type Options struct {
	// URL is redis://[user[:pass]@]host:port/db or rediss:// for TLS.
	URL string
	// Password, when set, replaces any password in URL (from a file or the environment).
	Password string
	// DialTimeout bounds connecting; zero means 5 s.
	DialTimeout time.Duration
	// TLSCA names a PEM file of the CA that signed the server's certificate, for
	// rediss:// URLs; empty trusts the system's CAs.
	TLSCA string
}

// Source is an open connection to one Redis holding asynq data.
type Source struct {
	rdb    redis.UniversalClient
	target string
	user   string
	secret string
	// sortRO is true on Redis >= 7, where SORT_RO reads the oldest pending task's enqueue
	// time in one command.
	sortRO bool

	mu sync.Mutex
	// memo is what the last refresh learned about each queue, to keep the next one to
	// three round trips (see Refresh).
	memo map[string]queueMemo
}

// queueMemo is what a refresh remembers of one queue for the next.
type queueMemo struct {
	// groups: the queue had aggregation groups; only such queues, and queues not seen
	// yet, have their group names read.
	groups bool
	// oldest is the last known enqueue time of the oldest pending task.
	oldest time.Time
}

// Target is the safe name of the Redis this source reads: host:port/db, never a password.
func (s *Source) Target() string { return s.target }

// Client exposes the underlying client for the packages under source/ (actions, tests).
func (s *Source) Client() redis.UniversalClient { return s.rdb }

// Open parses the options, connects and checks that Redis answers and accepts the
// credentials. Its errors are one line for a person and never contain the password.
func Open(ctx context.Context, o Options) (*Source, error) {
	quietLibraries()
	ro, target, err := parseURL(o.URL)
	if err != nil {
		return nil, err
	}
	if o.Password != "" {
		ro.Password = o.Password
	}
	if err := useCA(ro, o.TLSCA); err != nil {
		return nil, err
	}
	ro.DialTimeout = o.DialTimeout
	if ro.DialTimeout == 0 {
		ro.DialTimeout = 5 * time.Second
	}
	ro.ReadTimeout = 5 * time.Second
	ro.WriteTimeout = 5 * time.Second
	ro.MaxRetries = 1
	ro.PoolSize = 4
	// Plain RESP2 and no CLIENT SETINFO: fewer surprises with ACL users and proxies.
	ro.Protocol = 2
	ro.DisableIdentity = true

	s := &Source{rdb: redis.NewClient(ro), target: target, user: ro.Username, secret: ro.Password,
		memo: map[string]queueMemo{}}
	pctx, cancel := context.WithTimeout(ctx, ro.DialTimeout+time.Second)
	defer cancel()
	if err := s.rdb.Ping(pctx).Err(); err != nil {
		_ = s.rdb.Close()
		return nil, s.explain("connect", err)
	}
	s.sortRO = majorVersion(s.Version(pctx)) >= 7
	return s, nil
}

// Close releases the connection pool.
func (s *Source) Close() error { return s.rdb.Close() }

// parseURL reads a Redis URL and returns the client options and a safe display target.
// go-redis's own parse errors may echo the URL, so they are replaced by ours.
func parseURL(raw string) (*redis.Options, string, error) {
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	u, err := url.Parse(raw)
	valid := err == nil && ((u.Scheme == "redis" || u.Scheme == "rediss") && u.Host != "" ||
		u.Scheme == "unix" && u.Path != "")
	if !valid {
		return nil, "", fmt.Errorf("invalid Redis URL %q: use redis://[user[:pass]@]host:port/db, "+
			"rediss:// for TLS, or unix:///path/to/socket?db=N", redactURL(raw))
	}
	ro, err := redis.ParseURL(raw)
	if err != nil {
		return nil, "", fmt.Errorf("invalid Redis URL %q: %s", redactURL(raw),
			strings.ReplaceAll(err.Error(), raw, redactURL(raw)))
	}
	if u.Scheme == "rediss" && ro.TLSConfig == nil {
		ro.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	target := ro.Addr + "/" + strconv.Itoa(ro.DB)
	if u.Scheme == "rediss" {
		target += " (TLS)"
	}
	return ro, target, nil
}

// useCA makes a TLS connection trust the CA in the PEM file at path.
func useCA(ro *redis.Options, path string) error {
	if path == "" {
		return nil
	}
	if ro.TLSConfig == nil {
		return fmt.Errorf("redis.tls_ca is set but the URL is not rediss://: use rediss:// " +
			"for TLS")
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read the TLS CA file %s: %v", path, errors.Unwrap(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("the TLS CA file %s holds no PEM certificate", path)
	}
	ro.TLSConfig.RootCAs = pool
	return nil
}

// redactURL hides the password part of a Redis URL, even a malformed one.
func redactURL(raw string) string {
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	cred := raw[scheme+3 : at]
	if i := strings.Index(cred, ":"); i >= 0 {
		cred = cred[:i] + ":***"
	}
	return raw[:scheme+3] + cred + raw[at:]
}

// explain turns a Redis or network error into one line for a person: what failed, on
// which host, what to do next. what is a verb phrase ("connect", "read queues", "count
// pending tasks of queue \"q\""); the line reads "cannot <what> <to|from|on> HOST: why".
// The password is scrubbed from whatever Redis said.
func (s *Source) explain(what string, err error) error {
	return errors.New(s.scrub(fmt.Sprintf("cannot %s %s %s: %s", what, preposition(what),
		s.target, s.reason(err))))
}

// reason says why a Redis exchange failed, and what to do about it when that is known.
func (s *Source) reason(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("unknown host %q (check --redis)", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is Redis running there? check --redis)"
	case isAuthError(err.Error()) && s.secret == "":
		return "the server requires a password: set ASYNQTOP_REDIS_PASSWORD, " +
			"--password-file or put it in the URL"
	case isAuthError(err.Error()):
		user := s.user
		if user == "" {
			user = "default"
		}
		return fmt.Sprintf("authentication failed for user %s (wrong password? set "+
			"ASYNQTOP_REDIS_PASSWORD or --password-file)", user)
	case tlsReason(err) != "":
		return tlsReason(err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer in time (host down, firewall, or TLS mismatch?)"
	case errors.As(err, &opErr):
		return opErr.Err.Error()
	}
	return err.Error()
}

// tlsReason explains a TLS failure, or returns "".
func tlsReason(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "the server's TLS certificate is not signed by a CA this machine trusts " +
			"(set redis.tls_ca in the config to the CA's PEM file)"
	case errors.As(err, &host):
		return "the server's TLS certificate is not for this host name (" + host.Error() + ")"
	case errors.As(err, &record):
		return "the server did not answer in TLS (use redis:// for a plain port)"
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return "TLS failed: " + err.Error()
	}
	return ""
}

// preposition joins a verb phrase to the host it acts on: "connect to", "write to",
// "read queues from", and "on" for the rest ("count tasks on", "scan ... on").
func preposition(what string) string {
	verb, _, _ := strings.Cut(what, " ")
	switch verb {
	case "connect", "write":
		return "to"
	case "read":
		return "from"
	}
	return "on"
}

// scrub removes the password from a message, in case a server or library echoed it.
func (s *Source) scrub(msg string) string {
	if s.secret != "" {
		msg = strings.ReplaceAll(msg, s.secret, "***")
	}
	return msg
}

func isAuthError(msg string) bool {
	for _, p := range []string{"WRONGPASS", "NOAUTH", "invalid password",
		"invalid username-password", "AUTH <password> called without"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Version reads the Redis server version from INFO server; "" when INFO is denied.
func (s *Source) Version(ctx context.Context) string {
	info, err := s.rdb.Info(ctx, "server").Result()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(line, "redis_version:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// majorVersion is the major number of a Redis version string; 0 when unknown.
func majorVersion(v string) int {
	major, _, _ := strings.Cut(v, ".")
	n, _ := strconv.Atoi(major)
	return n
}

// hadGroups reports whether queue q had aggregation groups at the last refresh, or has
// not been seen yet.
func (s *Source) hadGroups(q string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, seen := s.memo[q]
	return m.groups || !seen
}

// remember keeps what this refresh learned of queue q, and fills in the oldest pending
// task's time from the last refresh when this one lost the race for it (see
// queueOldest). The older time errs on the side of a higher latency.
// TODO(refresh): forget queues that disappear; the map grows by one entry per queue name
// ever seen, negligible until someone creates millions of queues.
func (s *Source) remember(q *model.QueueStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.memo[q.Name]
	m.groups = q.Groups > 0
	switch {
	case q.Pending == 0:
		m.oldest = time.Time{}
	case q.LatencyKnown:
		m.oldest = q.OldestPending
	case !m.oldest.IsZero() && q.Err == "":
		q.OldestPending, q.LatencyKnown = m.oldest, true
	}
	s.memo[q.Name] = m
}

// Explain is explain for the packages that wrap a Source (actions); it names the target
// and scrubs the password.
func (s *Source) Explain(what string, err error) error { return s.explain(what, err) }

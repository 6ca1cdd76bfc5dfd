// Package redistest starts real redis-server processes for tests: each on a free
// loopback port, with its own temporary directory, stopped when the test ends.
//
// A test that cannot start its server fails with a message that says what to install;
// it never skips, because in CI a Redis test must run.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is one running redis-server started by a test.
type Server struct {
	// Addr is host:port on the loopback interface.
	Addr string
	// Port is the TCP port the server listens on.
	Port int
	// Dir is the server's working directory (removed with the test).
	Dir string
	// TLS names the certificate files when the server was started WithTLS.
	TLS TLSFiles

	cmd *exec.Cmd
}

// Option changes the configuration a Server starts with.
type Option func(*config)

type config struct {
	lines  []string
	tlsDir string
}

// WithConfig adds raw redis.conf lines, e.g. "requirepass secret" or
// "rename-command MEMORY \"\"".
func WithConfig(lines ...string) Option {
	return func(c *config) { c.lines = append(c.lines, lines...) }
}

// WithPassword makes the default user require password pw.
func WithPassword(pw string) Option {
	return WithConfig("requirepass " + pw)
}

// Start launches a redis-server for t and registers its shutdown with t.Cleanup.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found on PATH: install it (apt-get install -y redis-server); "+
			"Redis tests never skip: %v", err)
	}
	var c config
	for _, o := range opts {
		o(&c)
	}

	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		s, err := launch(t.TempDir(), bin, c)
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("could not start redis-server: %v", lastErr)
	return nil
}

// StartProcess launches a redis-server outside a test (for benchmark programs). The
// caller stops it with Stop and removes Dir.
func StartProcess(opts ...Option) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH: install it " +
			"(apt-get install -y redis-server)")
	}
	var c config
	for _, o := range opts {
		o(&c)
	}
	dir, err := os.MkdirTemp("", "asynqtop-redis-")
	if err != nil {
		return nil, err
	}
	return launch(dir, bin, c)
}

func launch(dir, bin string, c config) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	conf := []string{
		"bind 127.0.0.1",
		"port " + strconv.Itoa(port),
		"save \"\"",
		"appendonly no",
		"dir " + dir,
		"logfile " + filepath.Join(dir, "redis.log"),
	}
	var files TLSFiles
	if c.tlsDir != "" {
		if files, err = makeTLS(c.tlsDir); err != nil {
			return nil, err
		}
		conf = append(conf, tlsLines(files, port)...)
	}
	conf = append(conf, c.lines...)
	path := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(path, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, path)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{Addr: addr, Port: port, Dir: dir, TLS: files, cmd: cmd}
	if err := s.waitReady(5 * time.Second); err != nil {
		s.Stop()
		log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
		return nil, fmt.Errorf("%w; log:\n%s", err, log)
	}
	return s, nil
}

// waitReady polls until the port accepts connections and answers a PING
// (NOAUTH counts as an answer).
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		conn, err := s.dialReady()
		if err == nil {
			_ = conn.SetDeadline(time.Now().Add(time.Second))
			_, _ = conn.Write([]byte("PING\r\n"))
			line, rerr := bufio.NewReader(conn).ReadString('\n')
			_ = conn.Close()
			if rerr == nil && (strings.HasPrefix(line, "+PONG") || strings.Contains(line, "NOAUTH")) {
				return nil
			}
		}
		if s.cmd.ProcessState != nil {
			return fmt.Errorf("redis-server exited early")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis-server on %s not ready after %s", s.Addr, limit)
}

// Stop kills the server and waits for it to exit. It is safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// URL returns a redis:// URL for the server's database 0 with no credentials.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

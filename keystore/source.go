package keystore

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// CommandTimeout bounds how long LoadCommand waits for a keyring command.
const CommandTimeout = 10 * time.Second

// maxKeyringSize bounds what is read from any source; real keyrings are a few KB.
const maxKeyringSize = 1 << 20

// Source says where a keyring comes from. Exactly one field is set.
type Source struct {
	// File is the path of a keyring JSON file with mode 0600 or stricter.
	File string
	// Env is the name of an environment variable holding the keyring JSON in
	// standard base64.
	Env string
	// Command is argv of a program that prints the keyring JSON on stdout, for
	// a secrets manager. It is run directly, not through a shell.
	Command []string
}

// IsZero reports whether no source is set.
func (s Source) IsZero() bool {
	return s.File == "" && s.Env == "" && len(s.Command) == 0
}

// String names the source for messages: the file path, the variable name, or
// only the program name of a command, since its arguments might be sensitive.
func (s Source) String() string {
	switch {
	case s.File != "":
		return "keyring file " + s.File
	case s.Env != "":
		return "keyring env " + s.Env
	case len(s.Command) > 0:
		return "keyring command " + commandName(s.Command)
	}
	return "no keyring"
}

// Load reads a keyring from src, giving a command CommandTimeout.
func Load(src Source) (*Keyring, error) {
	return LoadContext(context.Background(), src)
}

// LoadContext is Load with a context for the command source.
func LoadContext(ctx context.Context, src Source) (*Keyring, error) {
	set := 0
	for _, on := range []bool{src.File != "", src.Env != "", len(src.Command) > 0} {
		if on {
			set++
		}
	}
	switch {
	case set == 0:
		return nil, errors.New("no keyring source: give a keyring file, env var or command")
	case set > 1:
		return nil, errors.New("more than one keyring source: give only a file, an env var " +
			"or a command")
	case src.File != "":
		return LoadFile(src.File)
	case src.Env != "":
		return LoadEnv(src.Env)
	}
	return LoadCommand(ctx, src.Command)
}

// LoadFile reads a keyring JSON file. It refuses a file that group or others may
// read or write, the way ssh refuses a loose private key.
func LoadFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring file: %w", err)
	}
	defer f.Close()
	if err := checkMode(f, path); err != nil {
		return nil, err
	}

	data, err := io.ReadAll(io.LimitReader(f, maxKeyringSize+1))
	if err != nil {
		return nil, fmt.Errorf("keyring file %s: %w", path, err)
	}
	kr, err := parseSized(data)
	if err != nil {
		return nil, fmt.Errorf("keyring file %s: %w", path, err)
	}
	return kr, nil
}

// checkMode refuses anything but a regular file without group or other bits.
// Windows has no such bits, so there the ACLs are the operator's business.
func checkMode(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("keyring file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("keyring file %s is not a regular file", path)
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("keyring file %s has mode %04o, open to group or others; "+
			"run: chmod 600 %s", path, perm, path)
	}
	return nil
}

// LoadEnv reads a keyring from the environment variable name, which holds the
// keyring JSON in standard base64 (so it survives shells and CI variable stores).
func LoadEnv(name string) (*Keyring, error) {
	val, ok := os.LookupEnv(name)
	if !ok || strings.TrimSpace(val) == "" {
		return nil, fmt.Errorf("keyring env %s is not set", name)
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(val))
	if err != nil {
		return nil, fmt.Errorf("keyring env %s is not standard base64 of the keyring JSON "+
			"(make it with: base64 -w0 keyring.json)", name)
	}
	kr, err := parseSized(data)
	if err != nil {
		return nil, fmt.Errorf("keyring env %s: %w", name, err)
	}
	return kr, nil
}

// LoadCommand runs argv (no shell) and reads the keyring JSON from its stdout,
// for secrets managers such as `vault kv get -field=keyring ...`. The command
// gets at most CommandTimeout. Its stderr is counted but never shown, because a
// failing secrets tool may print what it was meant to keep.
func LoadCommand(ctx context.Context, argv []string) (*Keyring, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("keyring command is empty")
	}
	name := commandName(argv)
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, CommandTimeout)
	defer cancel()

	var stdout capped
	var stderr counter
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second // a grandchild holding the pipes must not hang us
	if err := cmd.Run(); err != nil {
		return nil, commandError(parent, ctx, name, err, stderr.n)
	}
	if stdout.over {
		return nil, fmt.Errorf("keyring command %s printed more than %d bytes", name, maxKeyringSize)
	}

	kr, err := parseKeyring(stdout.buf.Bytes())
	clear(stdout.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("keyring command %s: %w", name, err)
	}
	return kr, nil
}

// commandError says why a keyring command failed without its output. parent is
// the caller's context, ctx the one with CommandTimeout, to tell whose limit hit.
func commandError(parent, ctx context.Context, name string, err error, stderrLen int) error {
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("keyring command %s: %w", name, parent.Err())
	case ctx.Err() != nil:
		return fmt.Errorf("keyring command %s timed out after %s", name, CommandTimeout)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return fmt.Errorf("keyring command %s: %w", name, err)
	}
	hidden := ""
	if stderrLen > 0 {
		hidden = fmt.Sprintf(" (%d bytes of stderr not shown, as they may hold secrets; "+
			"run the command yourself to see them)", stderrLen)
	}
	return fmt.Errorf("keyring command %s failed: %s%s", name, exit.ProcessState, hidden)
}

// commandName is the program's base name: its arguments may be sensitive.
func commandName(argv []string) string {
	return filepath.Base(argv[0])
}

func parseSized(data []byte) (*Keyring, error) {
	defer clear(data)
	if len(data) > maxKeyringSize {
		return nil, fmt.Errorf("keyring is larger than %d bytes", maxKeyringSize)
	}
	return parseKeyring(data)
}

// capped keeps up to maxKeyringSize bytes and notes if there were more. It
// never fails a write, so the child is not killed by a broken pipe mid-output.
type capped struct {
	buf  bytes.Buffer
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	room := maxKeyringSize - c.buf.Len()
	if len(p) > room {
		c.over = true
		c.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.buf.Write(p)
}

// counter discards what it is given and counts it.
type counter struct{ n int }

func (c *counter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

// WriteFile writes the keyring, secrets included, to path with mode 0600. It
// writes a temporary file in the same directory and renames it over path, so a
// reader sees the old keyring or the new one, never half of either.
func (kr *Keyring) WriteFile(path string) error {
	return kr.writeFile(path, true)
}

// writeFile writes atomically; with replace false it refuses an existing path.
func (kr *Keyring) writeFile(path string, replace bool) error {
	if kr == nil {
		return errors.New("write keyring: no keyring")
	}
	data, err := kr.encode()
	if err != nil {
		return fmt.Errorf("write keyring %s: %w", path, err)
	}
	defer clear(data)

	tmp, err := writeTemp(filepath.Dir(path), data)
	if err != nil {
		return fmt.Errorf("write keyring %s: %w", path, err)
	}
	defer os.Remove(tmp) // a no-op once renamed or linked away
	if err := install(tmp, path, replace); err != nil {
		return fmt.Errorf("write keyring %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// writeTemp writes data to a new 0600 file in dir and returns its name.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".keyring-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	err = f.Chmod(0o600) // CreateTemp already uses 0600; say so for other platforms
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// install moves tmp to path. Without replace it hard-links, which fails if path
// exists, closing the race a stat-then-rename would leave.
func install(tmp, path string, replace bool) error {
	if replace {
		return os.Rename(tmp, path)
	}
	err := os.Link(tmp, path)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite a keyring", path)
	}
	if err == nil {
		return nil
	}
	// Some filesystems have no hard links: fall back to a checked rename.
	if _, serr := os.Lstat(path); serr == nil {
		return fmt.Errorf("%s already exists; refusing to overwrite a keyring", path)
	}
	return os.Rename(tmp, path)
}

// syncDir makes the rename durable; failure only weakens crash safety.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

package keystore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a keyring command; see TestMain.
const helperEnv = "KEYSTORE_TEST_HELPER"

// TestMain lets LoadCommand tests run this binary as the keyring command, so
// they need no shell or external tool.
func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "print":
		fmt.Print(os.Getenv("KEYSTORE_TEST_KEYRING"))
	case "fail":
		fmt.Fprint(os.Stderr, "vault: token SECRETVALUE expired")
		os.Exit(3)
	case "garbage":
		fmt.Print("SECRETVALUE")
	case "hang":
		time.Sleep(time.Minute)
	}
	os.Exit(0)
}

func writeTestFile(t *testing.T, mode os.FileMode) (string, *Keyring) {
	t.Helper()
	kr := testRing(t)
	path := filepath.Join(t.TempDir(), "keyring.json")
	if err := kr.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path, kr
}

func TestWriteFileLoadFile(t *testing.T) {
	path, kr := writeTestFile(t, 0o600)
	if err := kr.Rotate("k2"); err != nil {
		t.Fatal(err)
	}
	if err := kr.WriteFile(path); err != nil { // replaces the existing file
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("stat = %v, %v; want mode 0600", st, err)
	}

	got, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != "keyring: 2 keys, active k2" || *got.Active().secret != *kr.Active().secret {
		t.Errorf("loaded %v, want the written keyring", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory has %d entries, want only the keyring (temp files left?)", len(entries))
	}
}

func TestLoadFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no group/other mode bits")
	}
	cases := map[os.FileMode]bool{0o600: true, 0o400: true, 0o644: false, 0o640: false,
		0o604: false, 0o660: false, 0o602: false}
	for mode, ok := range cases {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			path, _ := writeTestFile(t, mode)
			_, err := LoadFile(path)
			if ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			want := fmt.Sprintf("has mode %04o", mode)
			if err == nil || !strings.Contains(err.Error(), want) ||
				!strings.Contains(err.Error(), "chmod 600 "+path) {
				t.Fatalf("error = %v, want it to say %q and chmod 600 %s", err, want, path)
			}
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(fileJSON()), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ path, want string }{
		"missing":   {filepath.Join(dir, "nope.json"), "no such file"},
		"directory": {dir, "not a regular file"},
		"invalid":   {bad, bad + ": keyring has no keys"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := LoadFile(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

func TestLoadEnv(t *testing.T) {
	good := base64.StdEncoding.EncodeToString([]byte(fileJSON(fileKeyJSON("k1", "active"))))
	cases := map[string]struct{ value, want string }{
		"valid":        {good, ""},
		"with newline": {good + "\n", ""},
		"not base64":   {"{\"version\":1}", "not standard base64"},
		"not a ring":   {base64.StdEncoding.EncodeToString([]byte("{}")), "version 0"},
		"empty":        {"", "is not set"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("KEYSTORE_TEST_RING", tc.value)
			kr, err := LoadEnv("KEYSTORE_TEST_RING")
			if tc.want == "" {
				if err != nil || kr.Active().ID != "k1" {
					t.Fatalf("LoadEnv = %v, %v", kr, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to say %q", err, tc.want)
			}
		})
	}
	if _, err := LoadEnv("KEYSTORE_TEST_UNSET_VARIABLE"); err == nil {
		t.Error("LoadEnv of an unset variable succeeded")
	}
}

func TestLoadCommand(t *testing.T) {
	self := []string{os.Args[0], "-test.run=^$"}
	cases := map[string]struct {
		mode    string
		argv    []string
		timeout time.Duration
		want    string
	}{
		"prints a keyring": {"print", self, time.Minute, ""},
		"fails":            {"fail", self, time.Minute, "failed: exit status 3 (32 bytes of stderr"},
		"prints garbage":   {"garbage", self, time.Minute, "not valid JSON (error at byte 1)"},
		"hangs":            {"hang", self, 200 * time.Millisecond, ": context deadline exceeded"},
		"not found":        {"", []string{"/nonexistent/vault-cli"}, time.Minute, "vault-cli"},
		"empty argv":       {"", nil, time.Minute, "keyring command is empty"},
	}
	t.Setenv("KEYSTORE_TEST_KEYRING", fileJSON(fileKeyJSON("k1", "active")))
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(helperEnv, tc.mode)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()

			kr, err := LoadCommand(ctx, tc.argv)
			if tc.want == "" {
				if err != nil || kr.Active().ID != "k1" {
					t.Fatalf("LoadCommand = %v, %v", kr, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "-test.run") {
				t.Fatalf("error %q echoes the command's output or arguments", err)
			}
		})
	}
}

func TestLoadChoosesSource(t *testing.T) {
	path, _ := writeTestFile(t, 0o600)
	t.Setenv("KEYSTORE_TEST_RING",
		base64.StdEncoding.EncodeToString([]byte(fileJSON(fileKeyJSON("env1", "active")))))
	t.Setenv(helperEnv, "print")
	t.Setenv("KEYSTORE_TEST_KEYRING", fileJSON(fileKeyJSON("cmd1", "active")))

	cases := map[string]struct {
		src  Source
		want KeyID
		err  string
	}{
		"file":    {src: Source{File: path}, want: "k1"},
		"env":     {src: Source{Env: "KEYSTORE_TEST_RING"}, want: "env1"},
		"command": {src: Source{Command: []string{os.Args[0], "-test.run=^$"}}, want: "cmd1"},
		"none":    {err: "no keyring source"},
		"two":     {src: Source{File: path, Env: "X"}, err: "more than one keyring source"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kr, err := Load(tc.src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want it to say %q", err, tc.err)
				}
				return
			}
			if err != nil || kr.Active().ID != tc.want {
				t.Fatalf("Load = %v, %v; want active %s", kr, err, tc.want)
			}
		})
	}
}

func TestSourceString(t *testing.T) {
	cases := map[string]Source{
		"keyring file /etc/k.json": {File: "/etc/k.json"},
		"keyring env RING":         {Env: "RING"},
		"keyring command vault":    {Command: []string{"/usr/bin/vault", "kv", "get", "token=x"}},
		"no keyring":               {},
	}
	for want, src := range cases {
		if got := src.String(); got != want {
			t.Errorf("String = %q, want %q", got, want)
		}
	}
	if !(Source{}).IsZero() || (Source{Env: "X"}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestWriteFileRefusesInvalidRing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.json")
	errs := map[string]error{
		"nil ring":   (*Keyring)(nil).WriteFile(path),
		"empty ring": (&Keyring{}).WriteFile(path),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: WriteFile succeeded", name)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed WriteFile left %s behind", path)
	}
}

package keystore

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRunGenerateRotateRetireList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	var out bytes.Buffer

	if err := RunGenerate(&out, path, "k1"); err != nil {
		t.Fatal(err)
	}
	wantLine(t, &out, "Wrote keyring "+path+" (mode 0600) with active key k1.")
	if err := RunRotate(&out, path, "k2"); err != nil {
		t.Fatal(err)
	}
	wantLine(t, &out, "Rotated keyring "+path+" (mode 0600): k2 is active, k1 is decrypt-only.")
	if err := RunRotate(&out, path, ""); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := RunRetire(&out, path, "k1"); err != nil {
		t.Fatal(err)
	}
	wantLine(t, &out, "Retired key k1 in keyring "+path+" (mode 0600); "+
		"tasks sealed with it will fail to open.")

	out.Reset()
	if err := RunList(&out, Source{File: path}); err != nil {
		t.Fatal(err)
	}
	table := regexp.MustCompile(`^keyring file \S+ \(mode 0600\)
ID +STATE +CREATED
k1 +retired +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ
k2 +decrypt +\S+
k-\d{8}-[0-9a-f]{4} +active +\S+
$`)
	if !table.MatchString(out.String()) {
		t.Errorf("RunList printed:\n%s", out.String())
	}
	assertNoSecrets(t, path, out.String())
}

func wantLine(t *testing.T, out *bytes.Buffer, want string) {
	t.Helper()
	if first, _, _ := strings.Cut(out.String(), "\n"); first != want {
		t.Errorf("first line = %q, want %q", first, want)
	}
	out.Reset()
}

// assertNoSecrets checks that out shows none of the secrets in the file at path.
func assertNoSecrets(t *testing.T, path, out string) {
	t.Helper()
	kr, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kr.keys {
		if strings.Contains(out, base64.StdEncoding.EncodeToString(k.secret[:])) {
			t.Errorf("output shows the secret of %s", k.ID)
		}
	}
}

func TestRunGenerateRefusesOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keyring.json")
	if err := RunGenerate(&bytes.Buffer{}, path, ""); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)

	err := RunGenerate(&bytes.Buffer{}, path, "")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second RunGenerate error = %v, want already exists", err)
	}
	after, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if !bytes.Equal(before, after) || len(entries) != 1 {
		t.Error("refused RunGenerate changed the directory")
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.json")
	if err := RunGenerate(&bytes.Buffer{}, loose, "k1"); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	errs := map[string]struct {
		err  error
		want string
	}{
		"rotate a loose file":  {RunRotate(&bytes.Buffer{}, loose, ""), "chmod 600 " + loose},
		"rotate a missing one": {RunRotate(&bytes.Buffer{}, missing, ""), "no such file"},
		"retire the active":    {RunRetire(&bytes.Buffer{}, loose, "k1"), "chmod 600"},
		"generate a bad ID":    {RunGenerate(&bytes.Buffer{}, missing, "a b"), "A-Z a-z"},
		"list no source":       {RunList(&bytes.Buffer{}, Source{}), "no keyring source"},
	}
	for name, tc := range errs {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want it to say %q", name, tc.err, tc.want)
		}
	}
}

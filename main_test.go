package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/asynqtop/asynqtop/ui/report"
)

// TestSettingsConfigPath checks that a --config file that does not exist is an error,
// while the default path may be missing.
func TestSettingsConfigPath(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(good, []byte("[context]\nread_only = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "typo.toml")
	cases := map[string]struct {
		f        flags
		wantErr  string
		readOnly bool
	}{
		"given and present": {f: flags{config: good, configSet: true}, readOnly: true},
		"given and missing": {f: flags{config: missing, configSet: true},
			wantErr: "config file " + missing + " not found"},
		"default and missing": {f: flags{config: missing}},
		"given empty":         {f: flags{config: "", configSet: true}},
	}
	for name, c := range cases {
		cfg, err := settings(c.f)
		if got := fmt.Sprint(err); (c.wantErr == "" && err != nil) ||
			(c.wantErr != "" && got != c.wantErr) {
			t.Errorf("%s: err = %v, want %q", name, err, c.wantErr)
		}
		if err == nil && cfg.Context.ReadOnly != c.readOnly {
			t.Errorf("%s: read_only = %v, want %v", name, cfg.Context.ReadOnly, c.readOnly)
		}
	}
}

// TestConfigFlagReachesEverySubcommand runs a subcommand with a --config that does not
// exist: the flag given on the command line must be noticed there too.
func TestConfigFlagReachesEverySubcommand(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo.toml")
	for name, args := range map[string][]string{
		"audit":     {"audit", "--config", missing},
		"keys list": {"keys", "list", "--config", missing},
		"before":    {"--config", missing, "snapshot"},
	} {
		cmd := rootCmd()
		cmd.SetArgs(args)
		if err := cmd.Execute(); fmt.Sprint(err) != "config file "+missing+" not found" {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestExitCode(t *testing.T) {
	cases := map[string]struct {
		err  error
		want int
	}{
		"unread queues": {fmt.Errorf("snapshot: %w", &report.UnreadError{Queues: 2}), 2},
		"other":         {errors.New("cannot connect"), 1},
	}
	for name, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%s: exitCode = %d, want %d", name, got, c.want)
		}
	}
}

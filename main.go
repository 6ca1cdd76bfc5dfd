// Command asynqtop is a terminal dashboard for live operations on asynq task queues.
// main wires the packages: it reads flags and config, opens the source, and runs the
// dashboard, the demo or a one-shot snapshot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/keystore"
	"github.com/asynqtop/asynqtop/model/config"
	"github.com/asynqtop/asynqtop/source"
	"github.com/asynqtop/asynqtop/source/actions"
	"github.com/asynqtop/asynqtop/source/audit"
	"github.com/asynqtop/asynqtop/source/demo"
	"github.com/asynqtop/asynqtop/ui"
	"github.com/asynqtop/asynqtop/ui/report"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"
)

// flags are the command line's values; a zero value leaves the config's.
type flags struct {
	config       string
	redis        string
	passwordFile string
	refresh      time.Duration
	debug        bool
	json         bool
	readOnly     bool
	since        time.Duration
	keyID        string
	// configSet is true when --config was given: then the file must exist, so that a
	// typo cannot silently drop read_only or the context badge.
	configSet bool
}

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "asynqtop: "+err.Error())
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 when a snapshot was printed but some queues in it could not be read, so
// that a script does not take their missing figures for empty queues; 1 otherwise.
func exitCode(err error) int {
	var unread *report.UnreadError
	if errors.As(err, &unread) {
		return 2
	}
	return 1
}

func rootCmd() *cobra.Command {
	var f flags
	root := &cobra.Command{
		Use:   "asynqtop",
		Short: "Live dashboard for asynq task queues in Redis",
		Long: "asynqtop shows every asynq queue's state, throughput, failures, retries and dead\n" +
			"tasks live, with threshold breaches highlighted.\n\n" +
			"The Redis password can come from the URL, ASYNQTOP_REDIS_PASSWORD, or\n" +
			"--password-file; prefer the last two, which keep it out of the process list.",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every subcommand runs this first (none has its own).
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			f.configSet = cmd.Flags().Changed("config")
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runDashboard(cmd, f) },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.config, "config", config.DefaultPath(),
		"config file (TOML); the default one may be missing (defaults), a given one must exist")
	pf.StringVar(&f.redis, "redis", "",
		"Redis URL redis://[user[:pass]@]host:port/db, rediss:// for TLS")
	pf.StringVar(&f.passwordFile, "password-file", "", "file whose first line is the Redis password")
	pf.DurationVar(&f.refresh, "refresh", 0, "refresh interval (default 1s, minimum 250ms)")
	pf.BoolVar(&f.debug, "debug", false, "write a debug log to the user cache directory")
	pf.BoolVar(&f.readOnly, "read-only", false, "hide and refuse every action that changes Redis")

	snap := &cobra.Command{
		Use:   "snapshot",
		Short: "Read every queue once, print it and exit",
		Long: "snapshot reads every queue once and prints a table, or JSON with --json.\n\n" +
			"Exit status: 0 when every queue was read; 2 when some queue could not be read\n" +
			"(it is printed with its error and ? or null figures, and stderr says how many);\n" +
			"1 when nothing could be printed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runSnapshot(cmd, f) },
	}
	snap.Flags().BoolVar(&f.json, "json", false, "print JSON with every figure")
	demoCmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the dashboard on an embedded Redis with a live workload",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, f) },
	}
	auditCmd := &cobra.Command{
		Use:   "audit",
		Short: "Print the audit log of actions taken with asynqtop",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runAudit(cmd, f) },
	}
	auditCmd.Flags().DurationVar(&f.since, "since", 0, "only entries newer than this (e.g. 24h)")
	root.AddCommand(snap, demoCmd, auditCmd, keysCmd(&f))
	return root
}

// keysCmd is `asynqtop keys`: generate, rotate, retire and list the payload keyring.
func keysCmd(f *flags) *cobra.Command {
	keys := &cobra.Command{Use: "keys", Short: "Manage the keyring that seals task payloads"}
	pathOf := func() (string, error) {
		cfg, err := settings(*f)
		if err != nil {
			return "", err
		}
		if cfg.Keyring.File == "" {
			return "", errors.New("no keyring file: set keyring.file in the config")
		}
		return cfg.Keyring.File, nil
	}
	withPath := func(run func(io.Writer, string, string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			path, err := pathOf()
			if err != nil {
				return err
			}
			return run(cmd.OutOrStdout(), path, f.keyID)
		}
	}
	gen := &cobra.Command{Use: "generate", Short: "Create a new keyring file with one active key",
		Args: cobra.NoArgs, RunE: withPath(keystore.RunGenerate)}
	rotate := &cobra.Command{Use: "rotate", Short: "Add a new active key; the old one " +
		"becomes decrypt-only", Args: cobra.NoArgs, RunE: withPath(keystore.RunRotate)}
	retire := &cobra.Command{Use: "retire", Short: "Retire a decrypt-only key (--id)",
		Args: cobra.NoArgs, RunE: withPath(keystore.RunRetire)}
	list := &cobra.Command{Use: "list", Short: "List key IDs, states and dates (never secrets)",
		Args: cobra.NoArgs, RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := settings(*f)
			if err != nil {
				return err
			}
			return keystore.RunList(cmd.OutOrStdout(), keyringSource(cfg))
		}}
	for _, c := range []*cobra.Command{gen, rotate, retire} {
		c.Flags().StringVar(&f.keyID, "id", "", "key ID (default: generated from the date)")
	}
	keys.AddCommand(gen, rotate, retire, list)
	return keys
}

func keyringSource(cfg config.Config) keystore.Source {
	return keystore.Source{File: cfg.Keyring.File, Env: cfg.Keyring.Env,
		Command: cfg.Keyring.Command}
}

// loadKeyring reads the configured keyring for the decrypt-view; an error is kept to be
// shown when someone presses x, not fatal.
func loadKeyring(ctx context.Context, cfg config.Config) (*keystore.Keyring, string) {
	src := keyringSource(cfg)
	if src.IsZero() {
		return nil, ""
	}
	kr, err := keystore.LoadContext(ctx, src)
	if err != nil {
		return nil, err.Error()
	}
	return kr, ""
}

func runAudit(cmd *cobra.Command, f flags) error {
	cfg, err := settings(f)
	if err != nil {
		return err
	}
	path, err := cfg.AuditLogPath()
	if err != nil {
		return err
	}
	var since time.Time
	if f.since > 0 {
		since = time.Now().Add(-f.since)
	}
	entries, err := audit.Read(path, since)
	if err != nil {
		return err
	}
	audit.Print(cmd.OutOrStdout(), entries)
	return nil
}

// settings are the config file with the flags applied. A missing file means defaults
// only when it is the default path: one given with --config must exist.
func settings(f flags) (config.Config, error) {
	if f.configSet && f.config != "" {
		if _, err := os.Stat(f.config); errors.Is(err, fs.ErrNotExist) {
			return config.Config{}, fmt.Errorf("config file %s not found", f.config)
		}
	}
	cfg, warnings, err := config.Load(f.config)
	if err != nil {
		return cfg, err
	}
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "asynqtop: warning: "+w)
	}
	if f.redis != "" {
		cfg.Redis.URL = f.redis
	}
	if f.passwordFile != "" {
		cfg.Redis.PasswordFile = f.passwordFile
	}
	if f.readOnly {
		cfg.Context.ReadOnly = true
	}
	if f.refresh != 0 {
		if f.refresh < config.MinRefresh {
			fmt.Fprintf(os.Stderr, "asynqtop: warning: --refresh %s raised to %s\n",
				f.refresh, config.MinRefresh)
			f.refresh = config.MinRefresh
		}
		cfg.Refresh.Duration = f.refresh
	}
	return cfg, nil
}

// password reads the Redis password from --password-file or ASYNQTOP_REDIS_PASSWORD;
// empty means use the URL's, if any.
func password(cfg config.Config) (string, error) {
	if cfg.Redis.PasswordFile != "" {
		b, err := os.ReadFile(cfg.Redis.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("cannot read password file %s: %v", cfg.Redis.PasswordFile,
				errors.Unwrap(err))
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	return os.Getenv("ASYNQTOP_REDIS_PASSWORD"), nil
}

func openSource(ctx context.Context, cfg config.Config) (*source.Source, error) {
	pw, err := password(cfg)
	if err != nil {
		return nil, err
	}
	return source.Open(ctx, source.Options{
		URL: cfg.Redis.URL, Password: pw, DialTimeout: cfg.Redis.DialTimeout.Duration,
		TLSCA: cfg.Redis.TLSCA,
	})
}

// setupLog sends slog to a file in the user cache directory with --debug, and nowhere
// otherwise: nothing may print while the screen is up.
func setupLog(debug bool) (func(), error) {
	if !debug {
		slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
		return func() {}, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("--debug: no user cache directory: %v", err)
	}
	path := filepath.Join(dir, "asynqtop", "debug.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("--debug: %v", err)
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("--debug: %v", err)
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(fh, &slog.HandlerOptions{Level: slog.LevelDebug})))
	fmt.Fprintln(os.Stderr, "asynqtop: debug log at "+path)
	return func() { _ = fh.Close() }, nil
}

// prepare loads the settings and starts logging; the caller defers the returned close.
func prepare(f flags) (config.Config, func(), error) {
	cfg, err := settings(f)
	if err != nil {
		return cfg, nil, err
	}
	closeLog, err := setupLog(f.debug)
	return cfg, closeLog, err
}

func runDashboard(cmd *cobra.Command, f flags) error {
	cfg, closeLog, err := prepare(f)
	if err != nil {
		return err
	}
	defer closeLog()
	src, err := openSource(cmd.Context(), cfg)
	if err != nil {
		return err
	}
	defer src.Close()
	return runUI(cmd.Context(), src, cfg, nil)
}

// session is what a dashboard session acts with: the Actor (nil in read-only mode), the
// audit log and the keyring.
type session struct {
	actor   *actions.Actor
	log     *audit.Log
	keyring *keystore.Keyring
	keyErr  string
}

// openSession opens the audit log and the Actor unless read-only. An audit log that
// cannot be opened leaves actions off, with the reason shown when one is tried.
func openSession(ctx context.Context, src *source.Source, cfg config.Config) (session, error) {
	var s session
	s.keyring, s.keyErr = loadKeyring(ctx, cfg)
	path, err := cfg.AuditLogPath()
	if err == nil {
		s.log, err = audit.Open(path)
	}
	if err != nil {
		return s, fmt.Errorf("cannot open the audit log (set audit_log in the config, or "+
			"use --read-only): %v", err)
	}
	if !cfg.Context.ReadOnly {
		s.actor = actions.New(src, actions.Options{Audit: s.log, Context: cfg.Context.Name})
	}
	return s, nil
}

func (s session) close() {
	if s.actor != nil {
		_ = s.actor.Close()
	}
	if s.log != nil {
		_ = s.log.Close()
	}
}

// auditDecrypt writes the audit line of one decrypt-view: who and which task, never
// the content.
func (s session) auditDecrypt(cfg config.Config) func(queue, id string) error {
	if s.log == nil {
		return nil
	}
	return func(queue, id string) error {
		return s.log.Append(audit.Entry{Time: time.Now(), Operator: audit.Operator(),
			Context: cfg.Context.Name, Action: "decrypt_view", Queue: queue,
			TaskIDs: []string{id}, Count: 1, Outcome: "shown"})
	}
}

// runUI runs the dashboard on src until the person quits. demoKeys, when set, is the
// demo's in-memory keyring and replaces the configured one.
func runUI(ctx context.Context, src *source.Source, cfg config.Config,
	demoKeys *keystore.Keyring,
) error {
	sess, err := openSession(ctx, src, cfg)
	if err != nil && !cfg.Context.ReadOnly {
		return err
	}
	defer sess.close()
	if demoKeys != nil {
		sess.keyring, sess.keyErr = demoKeys, ""
	}
	var actor ui.Actor
	if sess.actor != nil {
		actor = sess.actor
	}
	m := ui.New(ui.Options{
		Source:       src,
		Actor:        actor,
		Keyring:      sess.keyring,
		KeyringErr:   sess.keyErr,
		MaskFields:   cfg.MaskFields,
		AuditDecrypt: sess.auditDecrypt(cfg),
		Refresh:      cfg.Refresh.Duration,
		ServersEvery: cfg.ServersEvery.Duration,
		HistorySize:  cfg.HistoryCapacity(),
		Rules:        cfg.Rules(),
		ContextName:  cfg.Context.Name,
		ContextColor: cfg.Context.TermColor(),
		ReadOnly:     cfg.Context.ReadOnly,
		RedisVersion: src.Version(ctx),
	})
	_, err = tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}

func runSnapshot(cmd *cobra.Command, f flags) error {
	cfg, closeLog, err := prepare(f)
	if err != nil {
		return err
	}
	defer closeLog()
	ctx, cancel := context.WithTimeout(cmd.Context(), 15*time.Second)
	defer cancel()
	src, err := openSource(ctx, cfg)
	if err != nil {
		return err
	}
	defer src.Close()
	return report.Snapshot(ctx, cmd.OutOrStdout(), src, report.Options{
		JSON: f.json, Rules: cfg.Rules(),
	})
}

func runDemo(cmd *cobra.Command, f flags) error {
	cfg, closeLog, err := prepare(f)
	if err != nil {
		return err
	}
	defer closeLog()
	// The demo seals the payments queue with a keyring that lives only in this process.
	keys, err := keystore.Generate("demo-key-1")
	if err != nil {
		return err
	}
	seal := func(typ string, p []byte) ([]byte, error) { return keystore.Seal(keys.Active(), typ, p) }
	world, err := demo.Start(cmd.Context(), demo.Options{Logger: slog.Default(), Seal: seal})
	if err != nil {
		return fmt.Errorf("starting the demo: %v", err)
	}
	defer world.Close()
	cfg.Redis.URL, cfg.Redis.PasswordFile = "redis://"+world.Addr+"/0", ""
	if cfg.Context.Name == "" {
		cfg.Context.Name, cfg.Context.Color = "DEMO", "magenta"
	}
	src, err := source.Open(cmd.Context(), source.Options{URL: cfg.Redis.URL})
	if err != nil {
		return err
	}
	defer src.Close()
	return runUI(cmd.Context(), src, cfg, keys)
}

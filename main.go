// Command asynqtop is a terminal dashboard for live operations on asynq task queues.
// main wires the packages: it reads flags and config, opens the source, and runs the
// dashboard, the demo or a one-shot snapshot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asynqtop/asynqtop/model/config"
	"github.com/asynqtop/asynqtop/source"
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
}

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "asynqtop: "+err.Error())
		os.Exit(1)
	}
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
		RunE:          func(cmd *cobra.Command, _ []string) error { return runDashboard(cmd, f) },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&f.config, "config", config.DefaultPath(), "config file (TOML); missing = defaults")
	pf.StringVar(&f.redis, "redis", "", "Redis URL redis://[user[:pass]@]host:port/db, rediss:// for TLS")
	pf.StringVar(&f.passwordFile, "password-file", "", "file whose first line is the Redis password")
	pf.DurationVar(&f.refresh, "refresh", 0, "refresh interval (default 1s, minimum 250ms)")
	pf.BoolVar(&f.debug, "debug", false, "write a debug log to the user cache directory")

	snap := &cobra.Command{
		Use:   "snapshot",
		Short: "Read every queue once, print it and exit",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runSnapshot(cmd, f) },
	}
	snap.Flags().BoolVar(&f.json, "json", false, "print JSON with every figure")
	demoCmd := &cobra.Command{
		Use:   "demo",
		Short: "Open the dashboard on an embedded Redis with a live workload",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDemo(cmd, f) },
	}
	root.AddCommand(snap, demoCmd)
	return root
}

// settings are the config file with the flags applied.
func settings(f flags) (config.Config, error) {
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
	return runUI(cmd.Context(), src, cfg)
}

func runUI(ctx context.Context, src *source.Source, cfg config.Config) error {
	m := ui.New(ui.Options{
		Source:       src,
		Refresh:      cfg.Refresh.Duration,
		ServersEvery: cfg.ServersEvery.Duration,
		HistorySize:  cfg.HistoryCapacity(),
		Rules:        cfg.Rules(),
		ContextName:  cfg.Context.Name,
		ContextColor: cfg.Context.TermColor(),
		ReadOnly:     cfg.Context.ReadOnly,
		RedisVersion: src.Version(ctx),
	})
	_, err := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx)).Run()
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
	world, err := demo.Start(cmd.Context(), demo.Options{Logger: slog.Default()})
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
	return runUI(cmd.Context(), src, cfg)
}

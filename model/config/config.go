// Package config reads asynqtop's TOML configuration file: refresh timing, the Redis
// connection, the context badge, thresholds, masking, the audit log and the keyring. It
// only parses and checks values; the packages that use them do the work.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/asynqtop/asynqtop/model"
)

// Config is the whole configuration file. Load fills it on top of Default, so every key
// left out of the file keeps its default.
type Config struct {
	// Refresh is how often the queues are read; at least MinRefresh.
	Refresh Duration `toml:"refresh"`
	// History is how far back the charts reach.
	History Duration `toml:"history"`
	// ServersEvery is how often the worker servers are read; at least Refresh.
	ServersEvery Duration `toml:"servers_every"`

	Redis   Redis   `toml:"redis"`
	Context Context `toml:"context"`

	Thresholds Thresholds `toml:"thresholds"`

	// MaskFields are payload field names whose values are masked when shown.
	MaskFields []string `toml:"mask_fields"`
	// AuditLog is the file actions are logged to; empty means audit.log in the user's
	// state directory (see AuditLogPath).
	AuditLog string `toml:"audit_log"`

	Keyring Keyring `toml:"keyring"`
}

// Redis says where Redis is and how to reach it.
type Redis struct {
	// URL is a redis://, rediss:// or unix:// URL.
	URL string `toml:"url"`
	// PasswordFile, when set, names a file whose first line is the password, so that the
	// password stays out of the URL, the command line and this file.
	PasswordFile string `toml:"password_file"`
	// DialTimeout bounds connecting to Redis.
	DialTimeout Duration `toml:"dial_timeout"`
	// TLSCA names a PEM file of the CA that signed the server's certificate, for
	// rediss:// URLs; empty trusts the system's CAs.
	TLSCA string `toml:"tls_ca"`
}

// Context is the badge that says which environment the screen shows.
type Context struct {
	// Name is shown in the badge, e.g. "PROD"; empty shows no badge.
	Name string `toml:"name"`
	// Color is the badge colour: a name ("red", "bright-yellow"), an ANSI number
	// ("0".."255") or hex ("#f00", "#ff0000"); see TermColor.
	Color string `toml:"color"`
	// ReadOnly disables every action that changes Redis.
	ReadOnly bool `toml:"read_only"`
}

// Keyring says where the key that decrypts payloads comes from. Each source is tried
// only when set; they are parsed here and used by the keystore.
type Keyring struct {
	// File is a file holding the key.
	File string `toml:"file"`
	// Env is the name of an environment variable holding the key.
	Env string `toml:"env"`
	// Command is an argv run to print the key, e.g. a secrets manager's CLI.
	Command []string `toml:"command"`
}

// Defaults that are not thresholds.
const (
	// MinRefresh is the shortest refresh interval; shorter ones load Redis for no gain.
	MinRefresh = 250 * time.Millisecond
	// MaxHistorySamples bounds History/Refresh so that charts cannot eat the memory
	// (each sample costs 32 bytes per metric per queue).
	MaxHistorySamples = 3600
	// DefaultURL is the Redis asynq's own tools use by default.
	DefaultURL = "redis://127.0.0.1:6379/0"
)

// Default returns the configuration used when no file is given or a key is left out.
func Default() Config {
	return Config{
		Refresh:      Duration{time.Second},
		History:      Duration{10 * time.Minute},
		ServersEvery: Duration{5 * time.Second},
		Redis:        Redis{URL: DefaultURL, DialTimeout: Duration{5 * time.Second}},
		Thresholds:   Thresholds{Default: defaultLimits()},
		MaskFields:   []string{"password", "card", "ssn", "token", "secret"},
	}
}

// DefaultPath is $XDG_CONFIG_HOME/asynqtop/config.toml, or the platform's equivalent;
// empty when the user has no config directory.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "asynqtop", "config.toml")
}

// Load reads the file at path on top of Default. A missing file, or an empty path, gives
// the defaults. An unknown key or a bad value is an error that names the key. The
// warnings say which values were adjusted, for the caller to show.
func Load(path string) (Config, []string, error) {
	if path == "" {
		return Default(), nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Default(), nil, nil
	}
	if err != nil {
		return Config{}, nil, fmt.Errorf("reading config: %w", err)
	}

	c, warnings, err := parse(string(data))
	if err != nil {
		return Config{}, nil, fmt.Errorf("config %s: %w", path, err)
	}
	if w := exposedPassword(path, c); w != "" {
		warnings = append(warnings, w)
	}
	return c, warnings, nil
}

// parse decodes a configuration file's text on top of Default and checks it.
func parse(text string) (Config, []string, error) {
	c := Default()
	md, err := toml.Decode(text, &c)
	if err != nil {
		return Config{}, nil, err
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return Config{}, nil, unknownKeys(undecoded)
	}

	warnings, err := c.check()
	if err != nil {
		return Config{}, nil, err
	}
	return c, warnings, nil
}

// unknownKeys is the error for keys the file has and Config does not.
func unknownKeys(keys []toml.Key) error {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.String()
	}
	sort.Strings(names)
	word := "key"
	if len(names) > 1 {
		word = "keys"
	}
	return fmt.Errorf("unknown %s %s (config.example.toml lists every option)",
		word, strings.Join(names, ", "))
}

// HistoryCapacity is how many samples each chart series holds.
func (c Config) HistoryCapacity() int {
	return model.RingCapacity(c.History.Duration, c.Refresh.Duration)
}

// Rules returns the thresholds as model rules: the default table for every queue, then
// each [[thresholds.queue]] in file order, so the last matching table wins per metric.
func (c Config) Rules() model.Rules {
	rules := model.Rules{{Pattern: "*", Thresholds: c.Thresholds.Default.thresholds()}}
	for _, q := range c.Thresholds.Queue {
		rules = append(rules, model.Rule{Pattern: q.Match, Thresholds: q.thresholds()})
	}
	return rules
}

// AuditLogPath is where the audit log goes: AuditLog when set, else
// $XDG_STATE_HOME/asynqtop/audit.log, falling back to ~/.local/state.
func (c Config) AuditLogPath() (string, error) {
	if c.AuditLog != "" {
		return c.AuditLog, nil
	}
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) {
		// The XDG spec says to ignore a relative value.
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no audit_log set and no home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "asynqtop", "audit.log"), nil
}

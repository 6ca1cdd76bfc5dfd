package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/asynqtop/asynqtop/model"
)

// check validates c, adjusting the timing values that are merely out of range, and says
// what it adjusted.
func (c *Config) check() ([]string, error) {
	warnings, err := c.checkTiming()
	if err != nil {
		return nil, err
	}
	checks := []func() error{
		c.Redis.check,
		c.Context.check,
		c.Thresholds.check,
		c.checkMaskFields,
		c.Keyring.check,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return warnings, nil
}

// checkTiming refuses durations that are not positive and raises or lowers the ones out
// of range.
func (c *Config) checkTiming() ([]string, error) {
	for _, d := range []struct {
		key string
		d   Duration
	}{
		{"refresh", c.Refresh}, {"history", c.History}, {"servers_every", c.ServersEvery},
		{"redis.dial_timeout", c.Redis.DialTimeout},
	} {
		if d.d.Duration <= 0 {
			return nil, fmt.Errorf("%s: %v is not a positive duration", d.key, d.d.Duration)
		}
	}

	var warnings []string
	if c.Refresh.Duration < MinRefresh {
		warnings = append(warnings, fmt.Sprintf("refresh %v is below the minimum; using %v",
			c.Refresh.Duration, MinRefresh))
		c.Refresh.Duration = MinRefresh
	}
	if c.ServersEvery.Duration < c.Refresh.Duration {
		warnings = append(warnings, fmt.Sprintf("servers_every %v is below refresh; using %v",
			c.ServersEvery.Duration, c.Refresh.Duration))
		c.ServersEvery.Duration = c.Refresh.Duration
	}
	if c.History.Duration < c.Refresh.Duration {
		warnings = append(warnings, fmt.Sprintf("history %v is below refresh; using %v",
			c.History.Duration, c.Refresh.Duration))
		c.History.Duration = c.Refresh.Duration
	}
	if most := c.Refresh.Duration * MaxHistorySamples; c.History.Duration > most {
		warnings = append(warnings, fmt.Sprintf(
			"history %v is more than %d refreshes of %v; using %v",
			c.History.Duration, MaxHistorySamples, c.Refresh.Duration, most))
		c.History.Duration = most
	}
	return warnings, nil
}

// check refuses a URL that go-redis could not dial. Errors never repeat the URL, which
// may hold a password.
func (r Redis) check() error {
	if r.URL == "" {
		return errors.New("redis.url: empty; write e.g. " + strconv.Quote(DefaultURL))
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("redis.url: not a valid URL: %v", err)
	}
	switch u.Scheme {
	case "redis", "rediss", "unix":
		return nil
	}
	return fmt.Errorf("redis.url: scheme %q is not supported; use redis://, rediss:// or unix://",
		u.Scheme)
}

// check refuses a colour the terminal could not show.
func (c Context) check() error {
	if _, ok := termColor(c.Color); !ok {
		return fmt.Errorf("context.color: %q is not a colour; use a name such as \"red\", "+
			"an ANSI number 0-255, or hex such as \"#ff0000\"", c.Color)
	}
	return nil
}

// TermColor is Color as lipgloss takes it: an ANSI number or lower-case hex; empty when
// Color is empty or invalid (Load refuses invalid ones).
func (c Context) TermColor() string {
	s, _ := termColor(c.Color)
	return s
}

// colorNames maps the sixteen ANSI colour names to their numbers.
var colorNames = map[string]int{
	"black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6,
	"white": 7, "gray": 8, "grey": 8, "bright-black": 8, "bright-red": 9,
	"bright-green": 10, "bright-yellow": 11, "bright-blue": 12, "bright-magenta": 13,
	"bright-cyan": 14, "bright-white": 15,
}

// termColor normalises a colour name, ANSI number or hex colour.
func termColor(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", true
	}
	if n, ok := colorNames[s]; ok {
		return strconv.Itoa(n), true
	}
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		return strconv.FormatUint(n, 10), true
	}
	if hex, ok := strings.CutPrefix(s, "#"); ok && (len(hex) == 3 || len(hex) == 6) {
		if _, err := strconv.ParseUint(hex, 16, 32); err == nil {
			return s, true
		}
	}
	return "", false
}

// check refuses limits that could never make sense and globs that do not parse.
func (t Thresholds) check() error {
	if err := t.Default.check("thresholds.default"); err != nil {
		return err
	}
	for i, q := range t.Queue {
		key := fmt.Sprintf("thresholds.queue[%d]", i+1)
		if q.Match == "" {
			return fmt.Errorf("%s.match: empty; write a queue name or glob such as \"critical*\"",
				key)
		}
		if _, err := path.Match(q.Match, ""); err != nil {
			return fmt.Errorf("%s.match: %q is not a glob: %v", key, q.Match, err)
		}
		if err := q.check(fmt.Sprintf("%s (match %q)", key, q.Match)); err != nil {
			return err
		}
	}
	return nil
}

// check refuses negative, infinite or inverted limits in every entry.
func (m MetricLimits) check(key string) error {
	for _, t := range m.thresholds() {
		if err := checkThreshold(t); err != nil {
			return fmt.Errorf("%s.%s: %w", key, t.Metric, err)
		}
	}
	return nil
}

// checkThreshold refuses limits that could never make sense.
func checkThreshold(t model.Threshold) error {
	show := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	if t.Metric == model.MetricLatency {
		show = func(v float64) string { return seconds(v).String() }
	}
	for _, l := range []struct {
		name string
		v    float64
	}{{"warn", t.Warn}, {"crit", t.Crit}} {
		if l.v < 0 || math.IsNaN(l.v) || math.IsInf(l.v, 0) {
			return fmt.Errorf("%s %s: want 0 (off) or a positive number", l.name, show(l.v))
		}
		if t.Metric == model.MetricFailureRatio && l.v > 1 {
			return fmt.Errorf("%s %s: a ratio is between 0 and 1", l.name, show(l.v))
		}
	}
	if t.Warn > 0 && t.Crit > 0 && t.Warn > t.Crit {
		return fmt.Errorf("warn %s is above crit %s", show(t.Warn), show(t.Crit))
	}
	return nil
}

// checkMaskFields refuses blank names, which would mask nothing or everything.
func (c *Config) checkMaskFields() error {
	for i, f := range c.MaskFields {
		if strings.TrimSpace(f) == "" {
			return fmt.Errorf("mask_fields[%d]: empty field name", i+1)
		}
	}
	return nil
}

// check refuses a command with no program to run.
func (k Keyring) check() error {
	if len(k.Command) > 0 && strings.TrimSpace(k.Command[0]) == "" {
		return errors.New("keyring.command: the first element must be the program to run")
	}
	return nil
}

// exposedPassword warns when the file holds a Redis password that other users may read.
func exposedPassword(file string, c Config) string {
	u, err := url.Parse(c.Redis.URL)
	if err != nil || u.User == nil {
		return ""
	}
	if _, has := u.User.Password(); !has {
		return ""
	}
	info, err := os.Stat(file)
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("%s holds a Redis password and is readable by others "+
		"(mode %v): chmod 600 it, or use redis.password_file", file, info.Mode().Perm())
}

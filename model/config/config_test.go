package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/asynqtop/asynqtop/model"
)

func TestLoadWithoutFile(t *testing.T) {
	cases := map[string]string{
		"empty path":   "",
		"missing file": filepath.Join(t.TempDir(), "nope", "config.toml"),
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			c, warnings, err := Load(path)
			if err != nil || len(warnings) > 0 || !reflect.DeepEqual(c, Default()) {
				t.Errorf("Load(%q) = %+v, %v, %v; want defaults", path, c, warnings, err)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Load(a directory) = %v, want an error naming it", err)
	}
}

func TestLoadNamesFileInErrors(t *testing.T) {
	path := writeFile(t, "refesh = \"1s\"\n", 0o600)
	_, _, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "unknown key refesh") {
		t.Errorf("Load = %v, want an error naming %s and the unknown key", err, path)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]struct {
		text string
		want []string // substrings of the error
	}{
		"syntax":          {"refresh = ", []string{"line 1"}},
		"unknown top key": {`colour = "red"`, []string{"unknown key colour"}},
		"unknown keys": {
			"[redis]\nhost = \"x\"\nport = 1", []string{"keys redis.host, redis.port"},
		},
		"unknown queue key": {
			"[[thresholds.queue]]\nmatch = \"a\"\npendng = {warn = 1}",
			[]string{"thresholds.queue.pendng"},
		},
		"unknown metric": {
			"[thresholds.default]\nlag = {warn = 1}", []string{"thresholds.default.lag"},
		},
		"bad duration": {`refresh = "fast"`, []string{`"refresh"`, `"fast" is not a duration`}},
		"bare number duration": {
			"[redis]\ndial_timeout = 5", []string{"redis.dial_timeout", "5 is not a duration"},
		},
		"negative duration": {`history = "-1m"`, []string{"history", "not a positive"}},
		"zero duration":     {`servers_every = "0s"`, []string{"servers_every", "not a positive"}},
		"zero refresh":      {`refresh = "0s"`, []string{"refresh", "not a positive"}},
		"misspelt level": {
			"[thresholds.default]\npending = { wran = 1 }",
			[]string{"thresholds.default.pending", `unknown key "wran"`},
		},
		"limits not a table": {"[thresholds.default]\npending = 5", []string{"want a table"}},
		"string count": {
			"[thresholds.default]\npending = { warn = \"1k\" }",
			[]string{"thresholds.default.pending", "warn: 1k is not a number"},
		},
		"number latency": {
			"[thresholds.default]\nlatency = { crit = 300 }",
			[]string{"thresholds.default.latency", "crit: 300 is not a duration"},
		},
		"negative limit": {
			"[thresholds.default]\nretry = { warn = -1 }",
			[]string{"thresholds.default.retry", "warn -1"},
		},
		"inverted limits": {
			"[[thresholds.queue]]\nmatch = \"a*\"\npending = { warn = 100, crit = 10 }",
			[]string{`thresholds.queue[1] (match "a*").pending`, "warn 100 is above crit 10"},
		},
		"inverted latency": {
			"[thresholds.default]\nlatency = { warn = \"5m\", crit = \"1m\" }",
			[]string{"thresholds.default.latency", "warn 5m0s is above crit 1m0s"},
		},
		"ratio above one": {
			"[thresholds.default]\nfailure_ratio = { crit = 5 }",
			[]string{"thresholds.default.failure_ratio", "between 0 and 1"},
		},
		"infinite limit": {
			"[thresholds.default]\npending = { crit = inf }", []string{"crit +Inf"},
		},
		"empty match": {
			"[[thresholds.queue]]\npending = { warn = 1 }",
			[]string{"thresholds.queue[1].match: empty"},
		},
		"bad glob": {
			"[[thresholds.queue]]\nmatch = \"*\"\n[[thresholds.queue]]\nmatch = \"q[\"",
			[]string{`thresholds.queue[2].match: "q[" is not a glob`},
		},
		"empty url":  {"[redis]\nurl = \"\"", []string{"redis.url: empty"}},
		"bad scheme": {"[redis]\nurl = \"http://h:1\"", []string{`scheme "http"`}},
		"url parse error hides password": {
			"[redis]\nurl = \"redis://u:s3cret@h:port/0\"", []string{"redis.url: not a valid URL"},
		},
		"bad colour": {
			"[context]\ncolor = \"mauve-ish\"", []string{"context.color", "mauve-ish"},
		},
		"colour too large": {"[context]\ncolor = \"256\"", []string{"context.color"}},
		"blank mask field": {`mask_fields = ["token", " "]`, []string{"mask_fields[2]: empty"}},
		"empty command":    {"[keyring]\ncommand = [\"\", \"x\"]", []string{"keyring.command"}},
		"wrong type":       {`mask_fields = "token"`, []string{"mask_fields"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := parse(tc.text)
			if err == nil {
				t.Fatalf("parse(%q) succeeded", tc.text)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("parse(%q) = %q, want it to contain %q", tc.text, err, want)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error repeats the password: %v", err)
			}
		})
	}
}

func TestParseAdjustsTiming(t *testing.T) {
	cases := map[string]struct {
		text                          string
		refresh, history, serversEach time.Duration
		warning                       string
	}{
		"refresh raised": {
			`refresh = "100ms"`, MinRefresh, 10 * time.Minute, 5 * time.Second, "refresh 100ms",
		},
		"servers_every raised to refresh": {
			"refresh = \"10s\"\nservers_every = \"1s\"", 10 * time.Second, 10 * time.Minute,
			10 * time.Second, "servers_every 1s is below refresh",
		},
		"history raised to refresh": {
			"refresh = \"30s\"\nhistory = \"10s\"", 30 * time.Second, 30 * time.Second,
			30 * time.Second, "history 10s is below refresh",
		},
		"history capped": {
			`history = "24h"`, time.Second, time.Hour, 5 * time.Second, "more than 3600 refreshes",
		},
		"in range": {
			"refresh = \"2s\"\nhistory = \"30m\"", 2 * time.Second, 30 * time.Minute,
			5 * time.Second, "",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, warnings, err := parse(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if c.Refresh.Duration != tc.refresh || c.History.Duration != tc.history ||
				c.ServersEvery.Duration != tc.serversEach {
				t.Errorf("refresh, history, servers_every = %v, %v, %v; want %v, %v, %v",
					c.Refresh, c.History, c.ServersEvery, tc.refresh, tc.history, tc.serversEach)
			}
			joined := strings.Join(warnings, "\n")
			if (tc.warning == "") != (len(warnings) == 0) || !strings.Contains(joined, tc.warning) {
				t.Errorf("warnings = %q, want one containing %q", warnings, tc.warning)
			}
		})
	}
}

func TestParseKeepsDefaultsOfOmittedKeys(t *testing.T) {
	c, _, err := parse(`
mask_fields = ["pin"]
[thresholds.default]
pending = { warn = 5 }
[context]
name = "PROD"
`)
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.MaskFields = []string{"pin"}
	want.Thresholds.Default.Pending = &Limits{Warn: 5}
	want.Context.Name = "PROD"
	if !reflect.DeepEqual(c, want) {
		t.Errorf("parse = %+v, want %+v", c, want)
	}
	if d := Default(); !reflect.DeepEqual(d.MaskFields, []string{
		"password", "card", "ssn", "token", "secret",
	}) || d.Thresholds.Default.Pending.Warn != 1000 {
		t.Error("parsing changed what Default returns")
	}
}

func TestRules(t *testing.T) {
	c, _, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	rules := c.Rules()

	cases := map[string]struct {
		queue  string
		metric model.Metric
		want   model.Threshold
	}{
		"default pending": {"default", model.MetricPending,
			model.Threshold{Metric: model.MetricPending, Warn: 1000, Crit: 10000}},
		"default latency in seconds": {"default", model.MetricLatency,
			model.Threshold{Metric: model.MetricLatency, Warn: 60, Crit: 300}},
		"override pending": {"critical-mail", model.MetricPending,
			model.Threshold{Metric: model.MetricPending, Warn: 100, Crit: 1000}},
		"override latency": {"critical", model.MetricLatency,
			model.Threshold{Metric: model.MetricLatency, Warn: 10, Crit: 60}},
		"no limits is off": {"default", model.MetricActive,
			model.Threshold{Metric: model.MetricActive}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := rules.Resolve(tc.queue)[tc.metric]; got != tc.want {
				t.Errorf("Resolve(%q)[%v] = %+v, want %+v", tc.queue, tc.metric, got, tc.want)
			}
		})
	}
	if err := rules.Validate(); err != nil {
		t.Errorf("example rules do not validate: %v", err)
	}
}

// TestDefaultRulesMatchModel guards that the config's defaults are the model's.
func TestDefaultRulesMatchModel(t *testing.T) {
	got := Default().Rules().Resolve("q")
	want := model.DefaultRules().Resolve("q")
	for _, m := range model.Metrics() {
		g, w := got[m], want[m]
		if g.Warn != w.Warn || g.Crit != w.Crit {
			t.Errorf("%v: config %+v, model %+v", m, g, w)
		}
	}
}

func TestBareZeroIsADuration(t *testing.T) {
	c, _, err := parse("[thresholds.default]\nlatency = { warn = 0, crit = \"2m\" }")
	if err != nil {
		t.Fatal(err)
	}
	if got := *c.Thresholds.Default.Latency; got.Warn.Duration != 0 || got.Crit.Minutes() != 2 {
		t.Errorf("latency = %+v, want warn off and crit 2m", got)
	}
}

func TestQueueRuleLeavesOmittedMetrics(t *testing.T) {
	c, _, err := parse("[[thresholds.queue]]\nmatch = \"a\"\nretry = { crit = 5 }")
	if err != nil {
		t.Fatal(err)
	}
	got := c.Rules().Resolve("a")
	if got[model.MetricRetry] != (model.Threshold{Metric: model.MetricRetry, Crit: 5}) {
		t.Errorf("retry = %+v, want crit 5 and warn off", got[model.MetricRetry])
	}
	if got[model.MetricPending].Warn != 1000 {
		t.Errorf("pending = %+v, want the default kept", got[model.MetricPending])
	}
}

// TestMetricLimitsCoverEveryMetric guards that a new model.Metric gets a config key.
func TestMetricLimitsCoverEveryMetric(t *testing.T) {
	tags := map[string]bool{}
	typ := reflect.TypeOf(MetricLimits{})
	for i := range typ.NumField() {
		tags[typ.Field(i).Tag.Get("toml")] = true
	}
	for _, m := range model.Metrics() {
		if !tags[m.String()] {
			t.Errorf("MetricLimits has no key %q", m)
		}
		var ml MetricLimits
		ml.set(model.Threshold{Metric: m, Warn: 2, Crit: 3})
		th := ml.thresholds()
		if len(th) != 1 || th[0] != (model.Threshold{Metric: m, Warn: 2, Crit: 3}) {
			t.Errorf("set then thresholds for %v = %+v", m, th)
		}
	}
	if len(tags) != len(model.Metrics()) {
		t.Errorf("MetricLimits has %d keys for %d metrics", len(tags), len(model.Metrics()))
	}
}

func TestTermColor(t *testing.T) {
	cases := map[string]struct {
		in, want string
		ok       bool
	}{
		"empty":         {"", "", true},
		"name":          {"red", "1", true},
		"name any case": {" Bright-Yellow ", "11", true},
		"grey":          {"grey", "8", true},
		"ansi":          {"202", "202", true},
		"ansi zero":     {"0", "0", true},
		"ansi too big":  {"256", "", false},
		"negative":      {"-1", "", false},
		"plus sign":     {"+5", "", false},
		"hex long":      {"#FF0000", "#ff0000", true},
		"hex short":     {"#f00", "#f00", true},
		"hex bad":       {"#ggg", "", false},
		"hex length":    {"#ff00", "", false},
		"unknown name":  {"mauve", "", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := termColor(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("termColor(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
			if ok && (Context{Color: tc.in}).TermColor() != tc.want {
				t.Errorf("TermColor disagrees with termColor for %q", tc.in)
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/xdg/config")
	if got := DefaultPath(); got != "/xdg/config/asynqtop/config.toml" {
		t.Errorf("DefaultPath = %q", got)
	}
}

func TestAuditLogPath(t *testing.T) {
	cases := map[string]struct {
		auditLog, state, home, want string
	}{
		"set":            {"/var/log/a.log", "/s", "/h", "/var/log/a.log"},
		"state dir":      {"", "/s", "/h", "/s/asynqtop/audit.log"},
		"relative state": {"", "rel", "/h", "/h/.local/state/asynqtop/audit.log"},
		"no state":       {"", "", "/h", "/h/.local/state/asynqtop/audit.log"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tc.state)
			t.Setenv("HOME", tc.home)
			got, err := Config{AuditLog: tc.auditLog}.AuditLogPath()
			if err != nil || got != tc.want {
				t.Errorf("AuditLogPath = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestExposedPasswordWarning(t *testing.T) {
	cases := map[string]struct {
		url  string
		mode os.FileMode
		want bool
	}{
		"password, world-readable": {"redis://:pw@h:6379/0", 0o644, true},
		"password, private":        {"redis://:pw@h:6379/0", 0o600, false},
		"user only":                {"redis://u@h:6379/0", 0o644, false},
		"no credentials":           {"redis://h:6379/0", 0o644, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "[redis]\nurl = \""+tc.url+"\"\n", tc.mode)
			_, warnings, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(warnings) > 0; got != tc.want {
				t.Errorf("warnings = %q, want a warning: %v", warnings, tc.want)
			}
			for _, w := range warnings {
				if strings.Contains(w, "pw@") {
					t.Errorf("warning repeats the password: %q", w)
				}
			}
		})
	}
}

func TestHistoryCapacity(t *testing.T) {
	c := Default()
	if got := c.HistoryCapacity(); got != 600 {
		t.Errorf("default HistoryCapacity = %d, want 600", got)
	}
	c.Refresh = Duration{MinRefresh}
	c.History = Duration{time.Minute}
	if got := c.HistoryCapacity(); got != 240 {
		t.Errorf("HistoryCapacity at 250ms over 1m = %d, want 240", got)
	}
}

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	warnings, err := c.check()
	if err != nil || len(warnings) > 0 || !reflect.DeepEqual(c, Default()) {
		t.Errorf("Default().check() = %v, %v, or changed it", warnings, err)
	}
}

// writeFile writes a config file with the given mode and returns its path.
func writeFile(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is cut by the umask
		t.Fatal(err)
	}
	return path
}

package config

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// examplePath is the example file at the repository root.
const examplePath = "../../config.example.toml"

// TestExampleLoads checks that the example parses cleanly and that every value it shows
// is the default, apart from the [[thresholds.queue]] example.
func TestExampleLoads(t *testing.T) {
	c, warnings, err := Load(examplePath)
	if err != nil {
		t.Fatalf("Load(example) = %v", err)
	}
	if len(warnings) > 0 {
		t.Errorf("Load(example) warned: %v", warnings)
	}
	if len(c.Thresholds.Queue) != 1 {
		t.Fatalf("example has %d [[thresholds.queue]] tables, want 1", len(c.Thresholds.Queue))
	}

	c.Thresholds.Queue = nil
	if len(c.Keyring.Command) == 0 {
		c.Keyring.Command = nil // the example writes [], which decodes to empty, not nil
	}
	if want := Default(); !reflect.DeepEqual(c, want) {
		t.Errorf("example differs from Default:\n got %+v\nwant %+v", c, want)
	}
}

// TestExampleListsEveryOption checks that each key Config can hold appears in the example,
// so that a new option cannot go undocumented.
func TestExampleListsEveryOption(t *testing.T) {
	var c Config
	md, err := toml.DecodeFile(examplePath, &c)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Errorf("example has undecoded keys %v", u)
	}
	inFile := map[string]bool{}
	for _, k := range md.Keys() {
		inFile[k.String()] = true
	}

	var missing []string
	for _, key := range tomlKeys(reflect.TypeOf(Config{}), "") {
		if !inFile[key] {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("config.example.toml does not list: %s", strings.Join(missing, ", "))
	}
}

// tomlKeys lists the dotted TOML keys of struct type t: a struct field is a table whose
// keys are listed, unless the type decodes itself (Duration, Limits).
func tomlKeys(t reflect.Type, prefix string) []string {
	unmarshaler := reflect.TypeOf((*toml.Unmarshaler)(nil)).Elem()
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if f.Anonymous {
			keys = append(keys, tomlKeys(ft, prefix)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" {
			name = f.Name
		}
		key := prefix + name
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshaler) {
			keys = append(keys, tomlKeys(ft, key+".")...)
			continue
		}
		keys = append(keys, key)
	}
	return keys
}

func TestTomlKeysSeesNestedOptions(t *testing.T) {
	keys := strings.Join(tomlKeys(reflect.TypeOf(Config{}), ""), " ")
	for _, want := range []string{
		"refresh", "redis.dial_timeout", "keyring.command", "thresholds.default.latency",
		"thresholds.queue.match", "thresholds.queue.archived_growth",
	} {
		if !strings.Contains(" "+keys+" ", " "+want+" ") {
			t.Errorf("tomlKeys misses %s: %s", want, keys)
		}
	}
}

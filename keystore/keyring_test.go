package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestGenerate(t *testing.T) {
	kr, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	k := kr.Active()
	if !regexp.MustCompile(`^k-\d{8}-[0-9a-f]{4}$`).MatchString(string(k.ID)) {
		t.Errorf("generated ID %q does not look like k-YYYYMMDD-xxxx", k.ID)
	}
	if k.State != StateActive || k.Created.IsZero() || *k.secret == [KeySize]byte{} {
		t.Errorf("generated key %v has no state, time or secret", k)
	}
	if infos := kr.Keys(); len(infos) != 1 || infos[0].ID != k.ID {
		t.Errorf("Keys = %v", infos)
	}
	for _, bad := range []string{"has space", "k/1", strings.Repeat("a", 65), "ключ"} {
		if _, err := Generate(bad); err == nil {
			t.Errorf("Generate(%q) accepted a bad ID", bad)
		}
	}
}

func TestNewKeyID(t *testing.T) {
	at := time.Date(2026, 12, 3, 23, 59, 0, 0, time.FixedZone("X", -5*3600))
	if id := newKeyID(at); !strings.HasPrefix(string(id), "k-20261204-") || len(id) != 15 {
		t.Errorf("newKeyID = %q, want k-20261204-xxxx (UTC date)", id)
	}
}

func TestRotateRetire(t *testing.T) {
	kr := testRing(t)
	if err := kr.Rotate("k2"); err != nil {
		t.Fatal(err)
	}
	if err := kr.Rotate(""); err != nil {
		t.Fatal(err)
	}
	third := kr.Active().ID
	if err := kr.Retire("k1"); err != nil {
		t.Fatal(err)
	}
	want := []State{StateRetired, StateDecrypt, StateActive}
	for i, k := range kr.Keys() {
		if k.State != want[i] {
			t.Errorf("key %s is %s, want %s", k.ID, k.State, want[i])
		}
	}

	errs := map[string]error{
		"rotate to a used ID":   kr.Rotate("k2"),
		"rotate to a bad ID":    kr.Rotate("a b"),
		"retire the active key": kr.Retire(string(third)),
		"retire an unknown key": kr.Retire("nope"),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := kr.Retire("k1"); err != nil {
		t.Errorf("retiring a retired key again: %v", err)
	}
	if kr.Active().ID != third {
		t.Errorf("failed operations changed the active key to %s", kr.Active().ID)
	}
}

// fileJSON renders a keyring file; secret 0 means a valid random-looking secret.
func fileJSON(keys ...string) string {
	return `{"version":1,"keys":[` + strings.Join(keys, ",") + `]}`
}

func fileKeyJSON(id, state string) string {
	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, KeySize))
	return fmt.Sprintf(`{"id":%q,"state":%q,"created":"2026-12-03T10:04:05Z","secret":%q}`,
		id, state, secret)
}

func TestParseKeyring(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	cases := map[string]struct {
		json string
		want string // substring of the error; empty means valid
	}{
		"one active": {fileJSON(fileKeyJSON("k1", "active")), ""},
		"active, decrypt, retired": {fileJSON(fileKeyJSON("k1", "retired"),
			fileKeyJSON("k2", "decrypt"), fileKeyJSON("k3", "active")), ""},
		"no created": {`{"version":1,"keys":[{"id":"k1","state":"active","secret":"` +
			base64.StdEncoding.EncodeToString(make([]byte, 32)) + `"}]}`, ""},
		"no keys":   {fileJSON(), "no keys"},
		"no active": {fileJSON(fileKeyJSON("k1", "decrypt")), "no active key"},
		"two active": {fileJSON(fileKeyJSON("k1", "active"), fileKeyJSON("k2", "active")),
			"2 active keys (k1, k2)"},
		"duplicate IDs": {fileJSON(fileKeyJSON("k1", "active"), fileKeyJSON("k1", "decrypt")),
			"appears twice"},
		"bad state": {fileJSON(fileKeyJSON("k1", "enabled")), `state "enabled"`},
		"bad ID":    {fileJSON(fileKeyJSON("k 1", "active")), "A-Z a-z 0-9"},
		"short secret": {`{"version":1,"keys":[{"id":"k1","state":"active","secret":"` +
			short + `"}]}`, "16 bytes, want 32"},
		"secret not base64": {`{"version":1,"keys":[{"id":"k1","state":"active",` +
			`"secret":"not*base64"}]}`, "not standard base64"},
		"unknown field": {`{"version":1,"keys":[{"id":"k1","state":"active","secert":"x"}]}`,
			`unknown field "secert"`},
		"version 2":     {`{"version":2,"keys":[]}`, "version 2 is not supported"},
		"empty":         {``, "empty or cut short"},
		"trailing data": {fileJSON(fileKeyJSON("k1", "active")) + `{}`, "after the closing brace"},
		"wrong type":    {`{"version":"1","keys":[]}`, `field "version" must be a int`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kr, err := parseKeyring([]byte(tc.json))
			if tc.want == "" {
				if err != nil || kr.Active().ID == "" {
					t.Fatalf("parse: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestParseErrorsHideInput feeds a bare secret where JSON was expected, as a
// misconfigured secrets command might, and checks the error does not echo it.
func TestParseErrorsHideInput(t *testing.T) {
	for _, input := range []string{"SECRETVALUE", `{"version":1,SECRETVALUE}`, `{"keys":SECRETVALUE`} {
		_, err := parseKeyring([]byte(input))
		if err == nil || strings.Contains(err.Error(), "SECRET") ||
			strings.Contains(err.Error(), "'S'") {
			t.Errorf("parse %q: error %q quotes the input", input, err)
		}
	}
}

// TestKeyNeverPrintsSecret prints a key every way a program might and looks for
// any encoding of its secret.
func TestKeyNeverPrintsSecret(t *testing.T) {
	kr := testRing(t)
	k := kr.Active()
	type holder struct {
		key  Key
		Keys []Key
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", "key", k)
	jsonKey, _ := json.Marshal(k)
	jsonRing, _ := json.Marshal(kr)

	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", k), "%+v": fmt.Sprintf("%+v", k), "%#v": fmt.Sprintf("%#v", k),
		"%s": fmt.Sprintf("%s", k), "%x": fmt.Sprintf("%x", k), "%d": fmt.Sprintf("%d", k),
		"%q": fmt.Sprintf("%q", k), "holder %+v": fmt.Sprintf("%+v", holder{k, []Key{k}}),
		"holder %#v": fmt.Sprintf("%#v", holder{k, []Key{k}}),
		"ring %+v":   fmt.Sprintf("%+v", kr), "ring %#v": fmt.Sprintf("%#v", kr),
		"json key": string(jsonKey), "json ring": string(jsonRing), "slog": logged.String(),
	}
	s := k.secret[:]
	secrets := []string{string(s), hex.EncodeToString(s), fmt.Sprintf("%X", s),
		base64.StdEncoding.EncodeToString(s), fmt.Sprint(s[:8]), fmt.Sprintf("%#v", s[:4])}
	for name, out := range outputs {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s output contains the secret: %s", name, out)
			}
		}
	}
	if got := k.String(); !strings.HasPrefix(got, "key k1 (active, created ") {
		t.Errorf("String = %q", got)
	}
}

func TestOpenErrorsNeverQuoteSecrets(t *testing.T) {
	kr := testRing(t)
	env := mustSeal(t, kr, "t", []byte("PLAINTEXT-MARKER"))
	_, _, err := Open(kr, "other", env)
	s := kr.Active().secret[:]
	for _, bad := range []string{"PLAINTEXT-MARKER", hex.EncodeToString(s),
		base64.StdEncoding.EncodeToString(s)} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("error %q reveals %q", err, bad)
		}
	}
	if !errors.Is(err, ErrAuth) {
		t.Errorf("error = %v, want ErrAuth", err)
	}
}

// TestConcurrentUse seals and opens while another goroutine rotates and
// retires, for the race detector.
func TestConcurrentUse(t *testing.T) {
	kr := testRing(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			_ = kr.Rotate(fmt.Sprintf("r%d", i))
			_ = kr.Retire(fmt.Sprintf("r%d", i-2))
		}
	}()
	for range 200 {
		env, err := Seal(kr.Active(), "t", []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Open(kr, "t", env); err != nil && !errors.Is(err, ErrRetiredKey) {
			t.Fatal(err)
		}
		_ = kr.Keys()
	}
	<-done
}

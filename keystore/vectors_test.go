package keystore

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

const vectorsPath = "testdata/vectors.json"

// vectorFile is testdata/vectors.json: envelopes another implementation must
// produce (valid) or refuse (error set).
type vectorFile struct {
	Comment []string `json:"comment"`
	Vectors []vector `json:"vectors"`
}

// vector is one case. The keyring is the single key KeyID/KeyHex in KeyState.
// Valid vectors have NonceHex and PlaintextHex and no Error.
type vector struct {
	Name         string `json:"name"`
	KeyID        KeyID  `json:"key_id"`
	KeyHex       string `json:"key_hex"`
	KeyState     State  `json:"key_state"`
	Type         string `json:"type"`
	NonceHex     string `json:"nonce_hex,omitempty"`
	PlaintextHex string `json:"plaintext_hex,omitempty"`
	EnvelopeHex  string `json:"envelope_hex"`
	Error        string `json:"error,omitempty"`
}

// vectorErrors maps the error names used in the file to the sentinels.
var vectorErrors = map[string]error{
	"not_sealed":  ErrNotSealed,
	"malformed":   ErrMalformed,
	"unknown_key": ErrUnknownKey,
	"retired_key": ErrRetiredKey,
	"auth":        ErrAuth,
}

func TestVectors(t *testing.T) {
	if *update {
		writeVectors(t)
	}
	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("read %s: %v (run go test -run TestVectors -update)", vectorsPath, err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("parse %s: %v", vectorsPath, err)
	}
	if len(f.Vectors) < 20 {
		t.Fatalf("%s has %d vectors, want at least 20", vectorsPath, len(f.Vectors))
	}
	for _, v := range f.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			if v.Error == "" {
				checkValidVector(t, v)
				return
			}
			checkInvalidVector(t, v)
		})
	}
}

func checkValidVector(t *testing.T, v vector) {
	kr := vectorRing(t, v)
	want := mustHex(t, v.EnvelopeHex)
	plain := mustHex(t, v.PlaintextHex)
	var nonce [NonceSize]byte
	copy(nonce[:], mustHex(t, v.NonceHex))

	got, err := seal(kr.Active(), v.Type, nonce, plain)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("seal = %x, %v; want %x", got, err, want)
	}
	opened, id, err := Open(kr, v.Type, want)
	if err != nil || id != v.KeyID || !bytes.Equal(opened, plain) {
		t.Fatalf("Open = %x, %q, %v; want %x, %q", opened, id, err, plain, v.KeyID)
	}
	h, err := Inspect(want)
	if err != nil || h.KeyID != v.KeyID || h.Nonce != nonce || h.PlaintextLen != len(plain) {
		t.Fatalf("Inspect = %+v, %v", h, err)
	}
}

func checkInvalidVector(t *testing.T, v vector) {
	wantErr, ok := vectorErrors[v.Error]
	if !ok {
		t.Fatalf("unknown error name %q", v.Error)
	}
	_, _, err := Open(vectorRing(t, v), v.Type, mustHex(t, v.EnvelopeHex))
	if !errors.Is(err, wantErr) {
		t.Fatalf("Open error = %v, want %v", err, wantErr)
	}
}

// vectorRing builds the vector's one-key ring directly: a ring whose only key
// is retired breaks the one-active rule, which is what that vector needs.
func vectorRing(t *testing.T, v vector) *Keyring {
	t.Helper()
	var s [KeySize]byte
	if raw := mustHex(t, v.KeyHex); len(raw) != KeySize {
		t.Fatalf("key_hex is %d bytes", len(raw))
	} else {
		copy(s[:], raw)
	}
	return &Keyring{keys: []Key{{ID: v.KeyID, State: v.KeyState, secret: &s}}}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// writeVectors regenerates the file from the valid inputs below; the invalid
// vectors are derived from the valid envelopes.
func writeVectors(t *testing.T) {
	valid := []vector{
		{Name: "json payload", KeyID: "k1", KeyHex: seqHex(0x00), Type: "email:send",
			NonceHex: "101112131415161718191a1b",
			PlaintextHex: hex.EncodeToString(
				[]byte(`{"user_id":42,"email":"ada@example.com"}`))},
		{Name: "empty payload", KeyID: "k1", KeyHex: seqHex(0x00), Type: "ping",
			NonceHex: "000000000000000000000000"},
		{Name: "binary payload", KeyID: "k-20261203-3fa9", KeyHex: seqHex(0xa0),
			Type: "image:resize", NonceHex: "cafebabefacedbaddecaf888",
			PlaintextHex: "00ff1080c0e0f0f8fcfeff7f3f1f0f07030100"},
		{Name: "utf-8 task type", KeyID: "k1", KeyHex: seqHex(0x00), Type: "notify:café",
			NonceHex: "0102030405060708090a0b0c", PlaintextHex: hex.EncodeToString([]byte("hi"))},
		{Name: "64-byte key ID", KeyID: KeyID(strings.Repeat("Az09._-", 9) + "x"),
			KeyHex: seqHex(0x40), Type: "report:build", NonceHex: "ffffffffffffffffffffffff",
			PlaintextHex: hex.EncodeToString(bytes.Repeat([]byte("0123456789abcdef"), 5))},
	}
	for i := range valid {
		valid[i].KeyState = StateActive
		v := &valid[i]
		var nonce [NonceSize]byte
		copy(nonce[:], mustHex(t, v.NonceHex))
		env, err := seal(vectorRing(t, *v).Active(), v.Type, nonce, mustHex(t, v.PlaintextHex))
		if err != nil {
			t.Fatal(err)
		}
		v.EnvelopeHex = hex.EncodeToString(env)
	}

	f := vectorFile{Comment: vectorComment, Vectors: append(valid, invalidVectors(t, valid)...)}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(vectorsPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vectorsPath, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

var vectorComment = []string{
	"Test vectors for the asynqtop keystore envelope, version 1 (layout in keystore/doc.go).",
	"Each vector's keyring is the one key key_id/key_hex in state key_state.",
	"Valid vectors (no error): sealing plaintext_hex for type with nonce_hex must give",
	"envelope_hex exactly, and opening envelope_hex for type must give plaintext_hex.",
	"Invalid vectors: opening envelope_hex for type must fail with error, one of",
	"not_sealed, malformed, unknown_key, retired_key, auth.",
	"type is the asynq task type, a UTF-8 string; all binary fields are lowercase hex;",
	"a missing plaintext_hex is the empty plaintext.",
}

// invalidVectors derives the refusal cases from the valid envelopes.
func invalidVectors(t *testing.T, valid []vector) []vector {
	base, empty, other := valid[0], valid[1], valid[2]
	env := mustHex(t, base.EnvelopeHex)
	ciphertextAt := headerLen(len(base.KeyID))
	mk := func(name, errName string, b []byte) vector {
		return vector{Name: name, KeyID: base.KeyID, KeyHex: base.KeyHex, KeyState: StateActive,
			Type: base.Type, EnvelopeHex: hex.EncodeToString(b), Error: errName}
	}

	vs := []vector{
		mk("tampered ciphertext", "auth", flip(env, ciphertextAt)),
		mk("tampered tag", "auth", flip(env, len(env)-1)),
		mk("tampered nonce", "auth", flip(env, ciphertextAt-1)),
		mk("truncated ciphertext", "auth", env[:len(env)-1]),
		mk("appended byte", "auth", append(bytes.Clone(env), 0)),
		mk("truncated header", "malformed", env[:10]),
		mk("magic and version only", "malformed", env[:5]),
		mk("unknown version", "malformed", with(env, 4, 2)),
		mk("version zero", "malformed", with(env, 4, 0)),
		mk("key ID length zero", "malformed", with(env, 5, 0)),
		mk("key ID length 65", "malformed", with(env, 5, 65)),
		mk("key ID with a space", "malformed", with(env, 6, ' ')),
		mk("not sealed: JSON", "not_sealed", []byte(`{"user_id":42}`)),
		mk("not sealed: empty", "not_sealed", nil),
		mk("not sealed: partial magic", "not_sealed", env[:3]),
	}

	wrongType := mk("wrong task type", "auth", env)
	wrongType.Type = "email:sendx"
	wrongSecret := mk("same key ID, other secret", "auth", env)
	wrongSecret.KeyHex = seqHex(0x01)
	renamed := mk("key ID in header changed", "auth", with(env, 7, '2'))
	renamed.KeyID = "k2" // same secret under the new name: the AAD still catches it
	retired := mk("retired key", "retired_key", env)
	retired.KeyState = StateRetired
	unknown := mk("unknown key", "unknown_key", mustHex(t, other.EnvelopeHex))
	unknown.Type = other.Type
	short := mk("empty payload missing a tag byte", "malformed", nil)
	short.Type = empty.Type
	short.EnvelopeHex = empty.EnvelopeHex[:len(empty.EnvelopeHex)-2]
	return append(vs, wrongType, wrongSecret, renamed, retired, unknown, short)
}

// seqHex is 32 bytes counting up from start, as hex.
func seqHex(start byte) string {
	b := make([]byte, KeySize)
	for i := range b {
		b[i] = start + byte(i)
	}
	return hex.EncodeToString(b)
}

// flip returns a copy of b with the low bit of byte i inverted.
func flip(b []byte, i int) []byte {
	return with(b, i, b[i]^0x01)
}

// with returns a copy of b with byte i set to v.
func with(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

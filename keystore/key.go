package keystore

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// KeyID names a key in a keyring. It is written in clear into every envelope, so
// it must not say anything secret: 1 to MaxKeyIDLen characters of A-Z a-z 0-9 . _ -.
type KeyID string

// valid reports whether id may appear in an envelope.
func (id KeyID) valid() bool {
	if len(id) == 0 || len(id) > MaxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isIDByte(id[i]) {
			return false
		}
	}
	return true
}

func isIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '.' || c == '_' || c == '-'
}

// checkKeyID explains why id cannot name a key, for people writing keyrings.
func checkKeyID(id KeyID) error {
	if id.valid() {
		return nil
	}
	if len(id) == 0 || len(id) > MaxKeyIDLen {
		return fmt.Errorf("key ID must be 1 to %d characters, got %d", MaxKeyIDLen, len(id))
	}
	return fmt.Errorf("key ID %q: use only A-Z a-z 0-9 . _ -", id)
}

// newKeyID makes an ID like k-20261203-3fa9 for a key created at t.
func newKeyID(t time.Time) KeyID {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return KeyID("k-" + t.UTC().Format("20060102") + "-" + hex.EncodeToString(b[:]))
}

// State says what a key in a keyring may do.
type State string

// The key states. A keyring has exactly one StateActive key.
const (
	// StateActive seals new payloads and opens old ones.
	StateActive State = "active"
	// StateDecrypt only opens payloads sealed before a rotation.
	StateDecrypt State = "decrypt"
	// StateRetired opens nothing: Open refuses it with ErrRetiredKey.
	StateRetired State = "retired"
)

func (s State) valid() bool {
	return s == StateActive || s == StateDecrypt || s == StateRetired
}

// Key is one named AES-256 key of a keyring. Its secret is unexported and every
// way of printing or marshalling a Key leaves it out; only WriteFile writes it.
type Key struct {
	// ID names the key inside envelopes.
	ID KeyID
	// State says whether the key seals, only opens, or is refused.
	State State
	// Created is when the key was generated (zero if the keyring did not say).
	Created time.Time

	// secret is behind a pointer so that even a reflective print of a struct
	// holding a Key in an unexported field shows an address, not the bytes.
	secret *[KeySize]byte
}

// newKey generates a key with a fresh random secret.
func newKey(id KeyID, state State, created time.Time) Key {
	var s [KeySize]byte
	_, _ = rand.Read(s[:])
	return Key{ID: id, State: state, Created: created, secret: &s}
}

// Info returns the key's public description.
func (k Key) Info() KeyInfo {
	return KeyInfo{ID: k.ID, State: k.State, Created: k.Created}
}

// String describes the key without its secret, e.g. "key k2 (active, created 2026-12-03)".
func (k Key) String() string {
	created := "unknown"
	if !k.Created.IsZero() {
		created = k.Created.UTC().Format(time.DateOnly)
	}
	return fmt.Sprintf("key %s (%s, created %s)", k.ID, k.State, created)
}

// GoString is the %#v form; the secret shows as REDACTED.
func (k Key) GoString() string {
	return fmt.Sprintf("keystore.Key{ID:%q, State:%q, Created:%s, secret:REDACTED}",
		k.ID, k.State, k.Created.UTC().Format(time.RFC3339))
}

// Format makes every fmt verb print String (GoString for %#v), so that %x or %d
// cannot dump the struct and its secret.
func (k Key) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = fmt.Fprint(f, k.GoString())
		return
	}
	_, _ = fmt.Fprint(f, k.String())
}

// MarshalJSON encodes the key's KeyInfo: never the secret.
func (k Key) MarshalJSON() ([]byte, error) {
	return json.Marshal(k.Info())
}

// LogValue keeps the secret out of slog output.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", string(k.ID)),
		slog.String("state", string(k.State)),
		slog.Time("created", k.Created),
	)
}

// usableForSeal refuses keys that must not seal new payloads.
func (k Key) usableForSeal() error {
	switch {
	case k.secret == nil:
		return fmt.Errorf("seal: key %q has no secret (use a key from a loaded keyring)", k.ID)
	case !k.ID.valid():
		return fmt.Errorf("seal: %w", checkKeyID(k.ID))
	case k.State == StateRetired:
		return fmt.Errorf("seal with key %s: %w", k.ID, ErrRetiredKey)
	case k.State != StateActive:
		return fmt.Errorf("seal: key %s is %s-only; seal with the keyring's active key",
			k.ID, k.State)
	}
	return nil
}

// KeyInfo is what may be shown about a key: never its secret.
type KeyInfo struct {
	// ID names the key inside envelopes.
	ID KeyID `json:"id"`
	// State is active, decrypt or retired.
	State State `json:"state"`
	// Created is when the key was generated.
	Created time.Time `json:"created"`
}

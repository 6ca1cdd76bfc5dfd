package keystore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// fileVersion is the keyring file format version this package reads and writes.
const fileVersion = 1

// Keyring is a set of named keys: exactly one active key seals, decrypt-only keys
// still open what they sealed, retired keys are refused. It is safe for
// concurrent use, so a worker can keep opening payloads while an operator rotates.
type Keyring struct {
	mu   sync.RWMutex
	keys []Key
}

// Generate returns a new keyring holding one active key with a random secret. An
// empty id picks one like k-20261203-3fa9.
func Generate(id string) (*Keyring, error) {
	now := time.Now().UTC().Truncate(time.Second)
	kid := KeyID(id)
	if id == "" {
		kid = newKeyID(now)
	}
	if err := checkKeyID(kid); err != nil {
		return nil, err
	}
	return &Keyring{keys: []Key{newKey(kid, StateActive, now)}}, nil
}

// Active returns the key that seals new payloads.
func (kr *Keyring) Active() Key {
	if kr == nil {
		return Key{}
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	for _, k := range kr.keys {
		if k.State == StateActive {
			return k
		}
	}
	return Key{}
}

// Keys describes every key in file order, without secrets.
func (kr *Keyring) Keys() []KeyInfo {
	if kr == nil {
		return nil
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	infos := make([]KeyInfo, len(kr.keys))
	for i, k := range kr.keys {
		infos[i] = k.Info()
	}
	return infos
}

// String summarises the keyring without secrets, e.g. "keyring: 2 keys, active k2".
func (kr *Keyring) String() string {
	if kr == nil {
		return "keyring: none"
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	noun := "keys"
	if len(kr.keys) == 1 {
		noun = "key"
	}
	return fmt.Sprintf("keyring: %d %s, active %s", len(kr.keys), noun, activeID(kr.keys))
}

// Rotate adds a new active key and makes the old active key decrypt-only, so
// payloads sealed before the rotation still open. An empty newID picks one.
func (kr *Keyring) Rotate(newID string) error {
	if kr == nil {
		return errors.New("rotate: no keyring")
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()

	now := time.Now().UTC().Truncate(time.Second)
	id, err := kr.freshID(KeyID(newID), now)
	if err != nil {
		return fmt.Errorf("rotate: %w", err)
	}

	for i := range kr.keys {
		if kr.keys[i].State == StateActive {
			kr.keys[i].State = StateDecrypt
		}
	}
	kr.keys = append(kr.keys, newKey(id, StateActive, now))
	return nil
}

// freshID checks a requested ID, or picks a generated one not yet in the ring.
func (kr *Keyring) freshID(id KeyID, now time.Time) (KeyID, error) {
	if id != "" {
		if err := checkKeyID(id); err != nil {
			return "", err
		}
		if kr.index(id) >= 0 {
			return "", fmt.Errorf("key %s is already in the keyring; choose another ID", id)
		}
		return id, nil
	}
	// Four hex digits can collide within a day; a few tries make it vanishingly rare.
	for range 16 {
		if id = newKeyID(now); kr.index(id) < 0 {
			return id, nil
		}
	}
	return "", errors.New("could not pick an unused key ID; give one explicitly")
}

// Retire makes a decrypt-only key refuse to open anything. The active key cannot
// be retired: rotate first. Retiring a retired key does nothing.
func (kr *Keyring) Retire(id string) error {
	if kr == nil {
		return errors.New("retire: no keyring")
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()

	i := kr.index(KeyID(id))
	switch {
	case i < 0:
		return fmt.Errorf("retire %q: %w", id, ErrUnknownKey)
	case kr.keys[i].State == StateActive:
		return fmt.Errorf("retire %s: it is the active key; rotate to a new key first", id)
	}
	kr.keys[i].State = StateRetired
	return nil
}

// lookup finds the key that may open an envelope sealed with id.
func (kr *Keyring) lookup(id KeyID) (Key, error) {
	if kr == nil {
		return Key{}, fmt.Errorf("open envelope sealed with key %s: no keyring: %w", id, ErrUnknownKey)
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	i := kr.index(id)
	if i < 0 {
		return Key{}, fmt.Errorf("open envelope sealed with key %s: %w", id, ErrUnknownKey)
	}
	if kr.keys[i].State == StateRetired {
		return Key{}, fmt.Errorf("open envelope sealed with key %s: %w", id, ErrRetiredKey)
	}
	return kr.keys[i], nil
}

// index returns the position of id, or -1. Callers hold kr.mu.
func (kr *Keyring) index(id KeyID) int {
	for i, k := range kr.keys {
		if k.ID == id {
			return i
		}
	}
	return -1
}

func activeID(keys []Key) KeyID {
	for _, k := range keys {
		if k.State == StateActive {
			return k.ID
		}
	}
	return "none"
}

// validate checks the rules every keyring keeps: valid unique IDs, secrets
// present, known states, exactly one active key.
func validate(keys []Key) error {
	if len(keys) == 0 {
		return errors.New("keyring has no keys")
	}
	seen := make(map[KeyID]bool, len(keys))
	var active []string
	for i, k := range keys {
		if err := checkKeyID(k.ID); err != nil {
			return fmt.Errorf("key %d: %w", i+1, err)
		}
		if seen[k.ID] {
			return fmt.Errorf("key ID %s appears twice; IDs must be unique", k.ID)
		}
		seen[k.ID] = true
		if k.secret == nil {
			return fmt.Errorf("key %s has no secret", k.ID)
		}
		if !k.State.valid() {
			return fmt.Errorf("key %s: state %q is not active, decrypt or retired", k.ID, k.State)
		}
		if k.State == StateActive {
			active = append(active, string(k.ID))
		}
	}
	switch len(active) {
	case 0:
		return errors.New("keyring has no active key; mark exactly one key \"active\"")
	case 1:
		return nil
	}
	return fmt.Errorf("keyring has %d active keys (%s); exactly one may be active",
		len(active), strings.Join(active, ", "))
}

// fileKeyring and fileKey are the JSON keyring file, the one place secrets are
// encoded.
type fileKeyring struct {
	Version int       `json:"version"`
	Keys    []fileKey `json:"keys"`
}

type fileKey struct {
	ID      KeyID     `json:"id"`
	State   State     `json:"state"`
	Created time.Time `json:"created,omitzero"`
	Secret  string    `json:"secret"`
}

// parseKeyring decodes and validates keyring JSON. Its errors never quote the
// input, which may be a secret printed where JSON was expected.
func parseKeyring(data []byte) (*Keyring, error) {
	var f fileKeyring
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt "secret" should fail loudly
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, errors.New("keyring JSON has data after the closing brace")
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("keyring version %d is not supported (want %d)", f.Version, fileVersion)
	}

	keys := make([]Key, 0, len(f.Keys))
	for i, fk := range f.Keys {
		k, err := fk.key()
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if err := validate(keys); err != nil {
		return nil, err
	}
	return &Keyring{keys: keys}, nil
}

func (fk fileKey) key() (Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(fk.Secret))
	if err != nil {
		return Key{}, fmt.Errorf("key %q: secret is not standard base64", fk.ID)
	}
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("key %q: secret is %d bytes, want %d (AES-256)",
			fk.ID, len(raw), KeySize)
	}
	var s [KeySize]byte
	copy(s[:], raw)
	clear(raw)
	return Key{ID: fk.ID, State: fk.State, Created: fk.Created, secret: &s}, nil
}

// jsonError drops the offending input from decoder errors: a syntax error names
// the character it choked on, which could be part of a secret.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("keyring is not valid JSON (error at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("keyring JSON: field %q must be a %s", typ.Field, typ.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("keyring JSON is empty or cut short")
	}
	// Unknown-field errors name the field, never its value.
	return fmt.Errorf("keyring JSON: %w", err)
}

// encode renders the keyring file, secrets included.
func (kr *Keyring) encode() ([]byte, error) {
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	if err := validate(kr.keys); err != nil {
		return nil, err
	}
	f := fileKeyring{Version: fileVersion, Keys: make([]fileKey, len(kr.keys))}
	for i, k := range kr.keys {
		f.Keys[i] = fileKey{
			ID:      k.ID,
			State:   k.State,
			Created: k.Created,
			Secret:  base64.StdEncoding.EncodeToString(k.secret[:]),
		}
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

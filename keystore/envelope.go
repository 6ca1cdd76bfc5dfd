package keystore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Envelope constants; doc.go describes the layout they make up.
const (
	// Version is the envelope version this package writes.
	Version = 1
	// NonceSize is the length of the random AES-GCM nonce in an envelope.
	NonceSize = 12
	// TagSize is the length of the AES-GCM authentication tag.
	TagSize = 16
	// KeySize is the length of a key secret: AES-256.
	KeySize = 32
	// MaxKeyIDLen is the longest key ID an envelope can carry.
	MaxKeyIDLen = 64
)

// magic starts every envelope. 0xAE is a UTF-8 continuation byte, so no text or
// JSON begins with it, and read as a protobuf tag it gives wire type 6, which does
// not exist; "AQE" keeps it recognisable in a hex dump.
var magic = [4]byte{0xAE, 'A', 'Q', 'E'}

// Header is the clear part of an envelope: what can be known without a key.
type Header struct {
	// Version is the envelope format version (always Version once parsed).
	Version int
	// KeyID names the key the payload was sealed with.
	KeyID KeyID
	// Nonce is the AES-GCM nonce.
	Nonce [NonceSize]byte
	// PlaintextLen is the length of the sealed payload once opened.
	PlaintextLen int
}

// String describes the header for a person, e.g. "sealed v1, key k2, 120 bytes".
func (h Header) String() string {
	return fmt.Sprintf("sealed v%d, key %s, %d bytes", h.Version, h.KeyID, h.PlaintextLen)
}

// IsSealed reports whether b starts with the envelope magic. It says nothing
// about whether the rest is well formed; Inspect does.
func IsSealed(b []byte) bool {
	return len(b) >= len(magic) && bytes.Equal(b[:len(magic)], magic[:])
}

// Inspect parses the header of an envelope without any key. It returns
// ErrNotSealed for bytes that are not an envelope and ErrMalformed for bytes that
// start like one but cannot be one.
func Inspect(envelope []byte) (Header, error) {
	h, _, err := parse(envelope)
	return h, err
}

// Seal encrypts plaintext with key and binds it to taskType, returning an envelope.
// The key must be the keyring's active key: decrypt-only and retired keys no
// longer seal, so a rotation really moves new payloads to the new key.
func Seal(key Key, taskType string, plaintext []byte) ([]byte, error) {
	var nonce [NonceSize]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never fails since Go 1.24.
	return seal(key, taskType, nonce, plaintext)
}

// seal is Seal with a chosen nonce, so the test vectors can be reproduced.
func seal(key Key, taskType string, nonce [NonceSize]byte, plaintext []byte) ([]byte, error) {
	if err := key.usableForSeal(); err != nil {
		return nil, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}

	env := make([]byte, 0, headerLen(len(key.ID))+len(plaintext)+TagSize)
	env = append(env, magic[:]...)
	env = append(env, Version, byte(len(key.ID)))
	env = append(env, key.ID...)
	env = append(env, nonce[:]...)
	aad := additionalData(env, taskType)
	return aead.Seal(env, nonce[:], plaintext, aad), nil
}

// Open decrypts an envelope sealed for taskType with a key in kr. It returns the
// plaintext and the key ID it was sealed with; the key ID is also returned with
// ErrUnknownKey, ErrRetiredKey and ErrAuth, so a person can be told which key.
func Open(kr *Keyring, taskType string, envelope []byte) ([]byte, KeyID, error) {
	h, n, err := parse(envelope)
	if err != nil {
		return nil, "", err
	}
	key, err := kr.lookup(h.KeyID)
	if err != nil {
		return nil, h.KeyID, err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, h.KeyID, err
	}

	aad := additionalData(envelope[:n], taskType)
	plain, err := aead.Open(nil, h.Nonce[:], envelope[n:], aad)
	if err != nil {
		return nil, h.KeyID, fmt.Errorf("open envelope sealed with key %s: %w", h.KeyID, ErrAuth)
	}
	return plain, h.KeyID, nil
}

// parse reads the header and returns it with the offset where the ciphertext starts.
func parse(b []byte) (Header, int, error) {
	if !IsSealed(b) {
		return Header{}, 0, ErrNotSealed
	}
	if len(b) < len(magic)+2 {
		return Header{}, 0, fmt.Errorf("%w: header truncated at %d bytes", ErrMalformed, len(b))
	}
	if v := b[len(magic)]; v != Version {
		return Header{}, 0, fmt.Errorf("%w: unsupported version %d (this build reads %d)",
			ErrMalformed, v, Version)
	}
	idLen := int(b[len(magic)+1])
	if idLen == 0 || idLen > MaxKeyIDLen {
		return Header{}, 0, fmt.Errorf("%w: key ID length %d out of range 1..%d",
			ErrMalformed, idLen, MaxKeyIDLen)
	}
	n := headerLen(idLen)
	if len(b) < n+TagSize {
		return Header{}, 0, fmt.Errorf("%w: truncated at %d bytes, need at least %d",
			ErrMalformed, len(b), n+TagSize)
	}

	id := KeyID(b[len(magic)+2 : len(magic)+2+idLen])
	if !id.valid() {
		return Header{}, 0, fmt.Errorf("%w: key ID has characters outside A-Z a-z 0-9 . _ -",
			ErrMalformed)
	}
	h := Header{Version: Version, KeyID: id, PlaintextLen: len(b) - n - TagSize}
	copy(h.Nonce[:], b[n-NonceSize:n])
	return h, n, nil
}

// headerLen is the length of everything before the ciphertext.
func headerLen(idLen int) int {
	return len(magic) + 2 + idLen + NonceSize
}

// additionalData is the AES-GCM associated data: the whole header followed by the
// task type. The header length follows from its own key ID length byte, so the
// concatenation is unambiguous without a separator.
func additionalData(header []byte, taskType string) []byte {
	aad := make([]byte, 0, len(header)+len(taskType))
	aad = append(aad, header...)
	return append(aad, taskType...)
}

func newAEAD(key Key) (cipher.AEAD, error) {
	if key.secret == nil {
		return nil, fmt.Errorf("key %s has no secret", key.ID)
	}
	block, err := aes.NewCipher(key.secret[:])
	if err != nil {
		return nil, errors.New("key secret rejected by AES") // never echo the secret
	}
	return cipher.NewGCM(block)
}

package keystore

import "errors"

// The sentinel errors below say why an envelope did not open. Open, Inspect and the
// asynq Handler wrap them with context, so test with errors.Is. No message built on
// them ever contains key material or plaintext.
var (
	// ErrNotSealed means the bytes do not start with the envelope magic: the payload
	// was never encrypted (or was encrypted by something else).
	ErrNotSealed = errors.New("payload is not sealed")

	// ErrMalformed means the bytes start like an envelope but cannot be one: a
	// truncated header, a bad key ID, or a version this build does not know.
	ErrMalformed = errors.New("malformed envelope")

	// ErrUnknownKey means the envelope names a key ID that is not in the keyring.
	ErrUnknownKey = errors.New("key not in keyring")

	// ErrRetiredKey means the envelope names a key the keyring has retired, so it
	// is refused even though the secret may still be known.
	ErrRetiredKey = errors.New("key is retired")

	// ErrAuth means AES-GCM rejected the envelope: it was changed, sealed with a
	// different secret under the same key ID, or sealed for another task type.
	ErrAuth = errors.New("authentication failed: tampered, wrong key, or wrong task type")
)

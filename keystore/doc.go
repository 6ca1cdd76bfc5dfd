// Package keystore seals asynq task payloads so that someone who reads Redis reads
// nothing useful, while whoever holds the keyring (a worker, or the on-call
// engineer in asynqtop) can still open them.
//
// asynq itself has no payload encryption; this package defines it: a byte format
// for sealed payloads (the envelope), a keyring of named AES-256 keys with
// rotation, the sources a keyring is loaded from, and the asynq glue for producers
// (NewTask) and workers (Handler). Secrets never appear in errors, logs, String
// output or JSON; only WriteFile writes them.
//
// # Envelope, version 1
//
// A sealed payload is AES-256-GCM with a 12-byte random nonce and a 16-byte tag,
// in this layout (offsets in bytes; L is the key ID length, n the plaintext length):
//
//	offset  size    field
//	0       4       magic: 0xAE 0x41 0x51 0x45 ("\xAEAQE")
//	4       1       version: 0x01
//	5       1       L, the key ID length: 1..64
//	6       L       key ID: ASCII bytes of A-Z a-z 0-9 . _ -
//	6+L     12      nonce: random, from a CSPRNG, never reused with a key
//	18+L    n+16    AES-GCM ciphertext of the plaintext, then the 16-byte tag
//
// The total length is 34+L+n bytes, so the shortest envelope (one-byte key ID,
// empty plaintext) is 35 bytes. The AES key is the key's 32 secret bytes, used
// directly (no derivation).
//
// The associated data (AAD) is every byte before the ciphertext, envelope[0:18+L]
// (magic, version, L, key ID, nonce), followed by the task type's bytes as given
// to asynq.NewTask (UTF-8, no length, no terminator). The header says its
// own length through L, so the concatenation is unambiguous. Binding the header
// makes changing the version or key ID fail authentication; binding the task
// type makes an envelope copied onto a task of another type fail to open.
//
// The magic was chosen because 0xAE is a UTF-8 continuation byte, so no text or
// JSON payload starts with it, and as a protobuf tag it has wire type 6, which
// does not exist. A payload that does not start with the magic is not sealed.
//
// A reader checks, in this order, and stops at the first failure:
//
//	fewer than 4 bytes, or bytes 0..3 are not the magic     ErrNotSealed
//	fewer than 6 bytes                                      ErrMalformed
//	version is not 1                                        ErrMalformed
//	L is 0 or more than 64                                  ErrMalformed
//	fewer than 34+L bytes (header and tag)                  ErrMalformed
//	key ID has a byte outside A-Z a-z 0-9 . _ -             ErrMalformed
//	key ID not in the keyring                               ErrUnknownKey
//	key ID is retired in the keyring                        ErrRetiredKey
//	AES-GCM open fails                                      ErrAuth
//
// A random 96-bit nonce is safe for about 2^32 envelopes per key; rotate well
// before a key has sealed four billion payloads. The test vectors in
// testdata/vectors.json (key, key ID, nonce, task type, plaintext and the
// envelope, plus envelopes that must fail and why) let a producer in another
// language check its implementation.
//
// # Keyring file
//
// A keyring is JSON; unknown fields are an error, so a misspelt field fails:
//
//	{
//	  "version": 1,
//	  "keys": [
//	    {"id": "k-20261203-3fa9", "state": "decrypt",
//	     "created": "2026-12-03T10:04:05Z", "secret": "<base64>"},
//	    {"id": "k-20270301-0c1e", "state": "active",
//	     "created": "2027-03-01T09:00:00Z", "secret": "<base64>"}
//	  ]
//	}
//
// version is 1. id follows the key ID rules and is unique. state is "active"
// (seals and opens; exactly one key), "decrypt" (opens what it sealed before a
// rotation) or "retired" (refused: opening its envelopes fails with
// ErrRetiredKey). created is RFC 3339 and optional. secret is the 32 key bytes
// in standard base64 with padding.
//
// # Sources
//
// A keyring comes from one Source: a file with mode 0600 or stricter (LoadFile
// refuses group or other bits, saying to chmod 600), an environment variable
// holding the file's JSON in standard base64 (LoadEnv), or a command that prints
// the JSON on stdout, such as a secrets manager's CLI (LoadCommand; run without
// a shell, within CommandTimeout, its stderr never shown since it may hold
// secrets). WriteFile writes a file atomically with mode 0600.
//
// # Rotation
//
// Rotate adds a new active key and makes the old one decrypt-only; nothing needs
// to be re-sealed. Give the new keyring to workers before producers, so workers
// know the key before payloads sealed with it arrive. Retire a key once no task
// sealed with it is left (asynqtop shows each task's key ID).
//
// # asynq
//
// Producers call NewTask instead of asynq.NewTask. Workers wrap handlers with
// Handler (or Middleware for a ServeMux), which opens each payload before the
// handler sees it; payloads that cannot open are refused, mostly with
// asynq.SkipRetry (see HandlerWithOptions). Task headers are not sealed. A
// handler's task is a new *asynq.Task, so results go through WriteResult (sealed)
// or ResultWriter(ctx) (clear), not t.ResultWriter().
package keystore

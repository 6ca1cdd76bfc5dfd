package keystore

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

// testRing returns a ring of one active key k1 with a random secret.
func testRing(t testing.TB) *Keyring {
	t.Helper()
	kr, err := Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func mustSeal(t testing.TB, kr *Keyring, typ string, plain []byte) []byte {
	t.Helper()
	env, err := Seal(kr.Active(), typ, plain)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestSealOpenRoundTrip(t *testing.T) {
	big := make([]byte, 1<<20)
	_, _ = rand.Read(big)
	cases := map[string][]byte{
		"json":   []byte(`{"user_id":42,"email":"ada@example.com"}`),
		"empty":  {},
		"nil":    nil,
		"binary": {0x00, 0xff, 0xae, 'A', 'Q', 'E'},
		"1 MiB":  big,
	}
	kr := testRing(t)
	for name, plain := range cases {
		t.Run(name, func(t *testing.T) {
			env := mustSeal(t, kr, "email:send", plain)
			if want := 34 + len("k1") + len(plain); len(env) != want {
				t.Errorf("envelope is %d bytes, want %d", len(env), want)
			}
			if len(plain) > 8 && bytes.Contains(env, plain) {
				t.Error("envelope contains the plaintext")
			}
			got, id, err := Open(kr, "email:send", env)
			if err != nil || id != "k1" || !bytes.Equal(got, plain) {
				t.Fatalf("Open = %d bytes, %q, %v", len(got), id, err)
			}
		})
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	kr := testRing(t)
	a := mustSeal(t, kr, "t", []byte("same"))
	b := mustSeal(t, kr, "t", []byte("same"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext gave the same envelope")
	}
}

func TestRotation(t *testing.T) {
	kr := testRing(t)
	old := mustSeal(t, kr, "t", []byte("before"))
	if err := kr.Rotate("k2"); err != nil {
		t.Fatal(err)
	}
	sealedNew := mustSeal(t, kr, "t", []byte("after"))

	for env, want := range map[string]KeyID{string(old): "k1", string(sealedNew): "k2"} {
		if _, id, err := Open(kr, "t", []byte(env)); err != nil || id != want {
			t.Errorf("Open = %q, %v; want key %s", id, err, want)
		}
	}
	if h, _ := Inspect(sealedNew); h.KeyID != "k2" {
		t.Errorf("new envelope sealed with %s, want k2", h.KeyID)
	}

	if err := kr.Retire("k1"); err != nil {
		t.Fatal(err)
	}
	if _, id, err := Open(kr, "t", old); !errors.Is(err, ErrRetiredKey) || id != "k1" {
		t.Errorf("Open after retire = %q, %v; want k1, ErrRetiredKey", id, err)
	}
	if _, _, err := Open(kr, "t", sealedNew); err != nil {
		t.Errorf("Open of the k2 envelope after retiring k1: %v", err)
	}
}

// TestTamper flips every bit of every byte and checks that each change fails
// with the error the header region predicts.
func TestTamper(t *testing.T) {
	kr := testRing(t)
	env := mustSeal(t, kr, "email:send", []byte(`{"user_id":42}`))
	want := func(i int) []error {
		switch {
		case i < 4:
			return []error{ErrNotSealed}
		case i == 4:
			return []error{ErrMalformed}
		case i < 6+len("k1"): // the length byte or the ID: may name another key
			return []error{ErrMalformed, ErrUnknownKey}
		}
		return []error{ErrAuth}
	}
	for i := range env {
		for bit := range 8 {
			bad := with(env, i, env[i]^(1<<bit))
			_, _, err := Open(kr, "email:send", bad)
			if !isOneOf(err, want(i)) {
				t.Fatalf("byte %d bit %d: Open error = %v, want one of %v", i, bit, err, want(i))
			}
		}
	}
}

func isOneOf(err error, targets []error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func TestWrongTaskType(t *testing.T) {
	kr := testRing(t)
	env := mustSeal(t, kr, "email:send", []byte("x"))
	for _, typ := range []string{"email:sendx", "email:sen", "", "EMAIL:SEND"} {
		if _, _, err := Open(kr, typ, env); !errors.Is(err, ErrAuth) {
			t.Errorf("Open as %q: %v, want ErrAuth", typ, err)
		}
	}
}

// TestTruncated opens every proper prefix of an envelope.
func TestTruncated(t *testing.T) {
	kr := testRing(t)
	env := mustSeal(t, kr, "t", []byte("some payload"))
	minLen := headerLen(len("k1")) + TagSize
	for n := range len(env) {
		_, _, err := Open(kr, "t", env[:n])
		var want error
		switch {
		case n < 4:
			want = ErrNotSealed
		case n < minLen:
			want = ErrMalformed
		default:
			want = ErrAuth
		}
		if !errors.Is(err, want) {
			t.Fatalf("prefix of %d bytes: Open error = %v, want %v", n, err, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	kr := testRing(t)
	other, err := Generate("k9")
	if err != nil {
		t.Fatal(err)
	}
	foreign := mustSeal(t, other, "t", []byte("x"))
	cases := map[string]struct {
		kr   *Keyring
		env  []byte
		want error
	}{
		"unknown key":       {kr, foreign, ErrUnknownKey},
		"nil keyring":       {nil, foreign, ErrUnknownKey},
		"plain JSON":        {kr, []byte(`{"a":1}`), ErrNotSealed},
		"nil payload":       {kr, nil, ErrNotSealed},
		"protobuf-looking":  {kr, []byte{0x0a, 0x03, 'a', 'b', 'c'}, ErrNotSealed},
		"magic only":        {kr, magic[:], ErrMalformed},
		"unknown version 2": {kr, with(foreign, 4, 2), ErrMalformed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Open(tc.kr, "t", tc.env); !errors.Is(err, tc.want) {
				t.Fatalf("Open error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	kr := testRing(t)
	env := mustSeal(t, kr, "t", []byte("12345"))
	h, err := Inspect(env)
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 1 || h.KeyID != "k1" || h.PlaintextLen != 5 ||
		!bytes.Equal(h.Nonce[:], env[8:20]) {
		t.Errorf("Inspect = %+v", h)
	}
	if got, want := h.String(), "sealed v1, key k1, 5 bytes"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if !IsSealed(env) || IsSealed([]byte("{}")) || IsSealed(nil) {
		t.Error("IsSealed disagrees with the magic")
	}
	if _, err := Inspect([]byte("hello")); !errors.Is(err, ErrNotSealed) {
		t.Errorf("Inspect of text: %v, want ErrNotSealed", err)
	}
}

func TestSealRefusesKeys(t *testing.T) {
	kr := testRing(t)
	decrypt := kr.Active()
	decrypt.State = StateDecrypt
	retired := kr.Active()
	retired.State = StateRetired
	badID := kr.Active()
	badID.ID = "has space"
	cases := map[string]Key{
		"zero key":     {},
		"decrypt-only": decrypt,
		"retired":      retired,
		"bad ID":       badID,
	}
	for name, k := range cases {
		t.Run(name, func(t *testing.T) {
			if env, err := Seal(k, "t", []byte("x")); err == nil {
				t.Fatalf("Seal = %x, want an error", env)
			}
		})
	}
}

func FuzzOpen(f *testing.F) {
	kr := testRing(f)
	f.Add("t", mustSeal(f, kr, "t", []byte("seed")))
	f.Add("t", []byte{})
	f.Add("t", magic[:])
	f.Add("x", append(magic[:], 1, 64))
	f.Fuzz(func(t *testing.T, typ string, env []byte) {
		plain, id, err := Open(kr, typ, env)
		if err == nil && (id != "k1" || !IsSealed(env)) {
			t.Fatalf("Open succeeded with key %q on %x", id, env)
		}
		if err != nil && plain != nil {
			t.Fatal("Open returned plaintext with an error")
		}
	})
}

func FuzzInspect(f *testing.F) {
	f.Add([]byte{})
	f.Add(magic[:])
	f.Add(mustSeal(f, testRing(f), "t", []byte("seed")))
	f.Add(append(magic[:], 1, 1, 'k'))
	f.Fuzz(func(t *testing.T, env []byte) {
		h, err := Inspect(env)
		if err != nil {
			return
		}
		if !h.KeyID.valid() || h.PlaintextLen != len(env)-headerLen(len(h.KeyID))-TagSize {
			t.Fatalf("Inspect accepted %x as %+v", env, h)
		}
	})
}

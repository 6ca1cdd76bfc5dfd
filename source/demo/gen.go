package demo

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/hibiken/asynq"
)

// Streams of randomness: each goroutine that makes tasks owns one, so a seed gives the same
// tasks whatever order the goroutines run in.
const (
	streamBacklog uint64 = iota + 1
	streamSurge
	streamDigest    // seeded by the digest's items, see aggregateDigest
	streamProducers // the producer of the i-th queue uses streamProducers+i
)

// job is one task about to be enqueued. err is set when its payload could not be made
// (a SealFunc failed); such a job is logged and dropped, never enqueued in the clear.
type job struct {
	typeName string
	payload  []byte
	opts     []asynq.Option
	err      error
}

// task builds the asynq task of j.
func (j job) task() *asynq.Task { return asynq.NewTask(j.typeName, j.payload) }

// gen makes tasks from one seeded stream of randomness.
type gen struct {
	r    *rand.Rand
	seal SealFunc
}

// newGen returns a gen for the given seed and stream.
func newGen(seed int64, stream uint64, seal SealFunc) *gen {
	return &gen{r: rand.New(rand.NewPCG(uint64(seed), stream)), seal: seal}
}

// job returns a task of type typeName for queue q with a seeded task ID, so a seed
// reproduces the IDs too.
func (g *gen) job(q, typeName string, payload []byte, opts ...asynq.Option) job {
	opts = append(opts, asynq.Queue(q), asynq.TaskID(g.uuid()))
	return job{typeName: typeName, payload: payload, opts: opts}
}

// sealed is job with the payload passed through the SealFunc, when there is one.
func (g *gen) sealed(q, typeName string, payload []byte, opts ...asynq.Option) job {
	if g.seal == nil {
		return g.job(q, typeName, payload, opts...)
	}
	sealed, err := g.seal(typeName, payload)
	if err != nil {
		return job{typeName: typeName, err: fmt.Errorf("seal %s payload: %w", typeName, err)}
	}
	return g.job(q, typeName, sealed, opts...)
}

// uuid returns a version 4 UUID drawn from the seeded stream.
func (g *gen) uuid() string {
	hi, lo := g.r.Uint64(), g.r.Uint64()
	hi = hi&^0xf000 | 0x4000     // version 4
	lo = lo&^(0xc<<60) | 0x8<<60 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// pick returns one of items.
func pick[T any](g *gen, items ...T) T { return items[g.r.IntN(len(items))] }

// between returns an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// token returns n random lower-case letters and digits, for IDs like "ord_9f2k...".
func (g *gen) token(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// userID returns a plausible user ID.
func (g *gen) userID() int { return g.between(1000, 250000) }

// email returns a plausible address on a reserved example domain.
func (g *gen) email() string {
	first := pick(g, "ana", "bo", "chen", "dmitri", "elif", "farah", "giulia", "hiro",
		"ines", "jonas", "kwame", "lea", "mateo", "nadia", "oskar", "priya")
	last := pick(g, "silva", "berg", "wang", "ivanov", "yilmaz", "haddad", "rossi",
		"tanaka", "costa", "weber", "mensah", "martin", "garcia", "novak", "lind", "rao")
	domain := pick(g, "example.com", "example.org", "example.net", "mail.example.com")
	return fmt.Sprintf("%s.%s%d@%s", first, last, g.r.IntN(100), domain)
}

// card returns the card details a payment processor returns for a stored card: brand,
// last four digits and expiry, never a full number.
func (g *gen) card() map[string]string {
	return map[string]string{
		"brand": pick(g, "visa", "mastercard", "amex"),
		"last4": fmt.Sprintf("%04d", g.r.IntN(10000)),
		"exp":   fmt.Sprintf("%02d/%02d", g.between(1, 12), g.between(26, 31)),
	}
}

// bytes returns n random bytes, for payloads that are not text at all.
func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return b
}

// mustJSON encodes v, which is always a map or struct of plain values built here.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("demo: encode payload: %v", err))
	}
	return b
}

// gzipped compresses b; writing to a bytes.Buffer cannot fail.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

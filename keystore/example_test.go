package keystore_test

import (
	"context"
	"log"

	"github.com/hibiken/asynq"

	"github.com/asynqtop/asynqtop/keystore"
)

// Example shows a producer sealing a payload and a worker opening it. The
// keyring file is made with `asynqtop keys generate` (RunGenerate) and given
// to both sides; Redis only ever holds the envelope.
func Example() {
	kr, err := keystore.Load(keystore.Source{File: "/etc/asynq/keyring.json"})
	if err != nil {
		log.Fatal(err) // e.g. "keyring file ... has mode 0644 ...; run: chmod 600 ..."
	}
	redisOpt := asynq.RedisClientOpt{Addr: "localhost:6379"}

	// Producer: the payload is sealed with the keyring's active key.
	client := asynq.NewClient(redisOpt)
	defer client.Close()
	task, err := keystore.NewTask(kr, "email:send", []byte(`{"to":"ada@example.com"}`))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Enqueue(task); err != nil {
		log.Fatal(err)
	}

	// Worker: handlers are wrapped, and see the plaintext.
	mux := asynq.NewServeMux()
	mux.Use(keystore.Middleware(kr, keystore.HandlerOptions{}))
	mux.HandleFunc("email:send", func(ctx context.Context, t *asynq.Task) error {
		log.Printf("sending %d bytes", len(t.Payload()))
		return keystore.WriteResult(ctx, []byte("sent")) // sealed like the payload
	})
	srv := asynq.NewServer(redisOpt, asynq.Config{Concurrency: 10})
	if err := srv.Run(mux); err != nil {
		log.Fatal(err)
	}
}

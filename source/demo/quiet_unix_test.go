//go:build unix

package demo

import (
	"bytes"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// captureOutput runs f with file descriptors 1 and 2 pointing at a pipe and returns what
// was written there. It swaps the descriptors, not os.Stdout, because libraries such as
// go-redis keep their own *os.File for stderr. f must not log through t meanwhile.
func captureOutput(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	saved := [2]int{}
	for i, fd := range []int{1, 2} {
		if saved[i], err = unix.Dup(fd); err != nil {
			t.Fatalf("dup %d: %v", fd, err)
		}
		if err := unix.Dup2(int(w.Fd()), fd); err != nil {
			t.Fatalf("dup2 onto %d: %v", fd, err)
		}
	}
	var out bytes.Buffer
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, r)
		close(copied)
	}()

	func() {
		defer restore(saved, w)
		f()
	}()

	<-copied
	r.Close()
	return out.String()
}

// restore points descriptors 1 and 2 back where they were and closes the pipe's writer.
func restore(saved [2]int, w *os.File) {
	for i, fd := range []int{1, 2} {
		_ = unix.Dup2(saved[i], fd)
		_ = unix.Close(saved[i])
	}
	w.Close()
}

package source

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// slogPrinter sends go-redis's internal log lines to slog at debug level. By default
// go-redis prints to stderr, which would tear the dashboard's screen.
type slogPrinter struct{}

// Printf implements go-redis's logger interface.
func (slogPrinter) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "go-redis", "msg", fmt.Sprintf(format, v...))
}

var quietOnce sync.Once

// quietLibraries routes library logging away from the terminal, once per process.
func quietLibraries() {
	quietOnce.Do(func() { redis.SetLogger(slogPrinter{}) })
}

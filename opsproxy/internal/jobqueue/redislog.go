package jobqueue

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// redisLogger sends the Redis client's own messages (failed dials while Redis is down, pool
// trouble) to the process's logger at debug level, instead of the standard log's stderr: the
// queue's errors are reported, with their context, by the workers and the API.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(_ context.Context, format string, v ...any) {
	r.l.Debug("redis client", "msg", fmt.Sprintf(format, v...))
}

// RouteRedisLog makes the Redis client library log through logger. The library's logger is
// process-wide: the commands call this once at start.
func RouteRedisLog(logger *slog.Logger) { redis.SetLogger(redisLogger{logger}) }

package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"
)

// QueueConfig configures the job queue. Without redis_url the queue is in-process: this
// process's workers run every job, and jobs still queued when it stops are queued again from
// their records at the next start.
type QueueConfig struct {
	// RedisURL (redis://[user:password@]host:port[/db], or rediss:// for TLS) puts the queue on
	// Redis Streams, shared by every opsproxy replica and `etcd-monitor worker`. It may carry a
	// password: it is never logged, shown or echoed, and errors about it name the field only.
	RedisURL string `yaml:"redis_url,omitempty"`
	// Stream names the queue: its Redis keys start with etcd-monitor:jobs:<stream>:.
	Stream string `yaml:"stream,omitempty"`
	// Group is the Redis consumer group the workers read as.
	Group string `yaml:"group,omitempty"`
	// VisibilityTimeout is how long a worker holds a job without a heartbeat before another
	// takes it over; workers heartbeat every third of it.
	VisibilityTimeout model.Duration `yaml:"visibility_timeout,omitempty"`
	// MaxAttempts is how many times a job is tried before it is dead-lettered.
	MaxAttempts int `yaml:"max_attempts,omitempty"`
	// Workers is how many jobs this process runs at once; 0: it only enqueues, and
	// `etcd-monitor worker` processes run the jobs (Redis only).
	Workers *int `yaml:"workers,omitempty"`
	// Scheduler runs the scheduler of the schedules in the history store in this process
	// (default true). Every opsproxy and worker may run one: each slot fires once across them.
	Scheduler *bool `yaml:"scheduler,omitempty"`
	// ScheduleInterval is the time between the scheduler's looks at the schedules: a slot
	// fires at the first look at or after it.
	ScheduleInterval model.Duration `yaml:"schedule_interval,omitempty"`
}

// Queue defaults.
const (
	DefaultQueueStream            = "default"
	DefaultQueueGroup             = "workers"
	DefaultQueueVisibilityTimeout = 30 * time.Second
	DefaultQueueMaxAttempts       = 5
	DefaultQueueWorkers           = 2
	DefaultQueueScheduleInterval  = 15 * time.Second
	// MaxQueueScheduleInterval is the shortest period a schedule may have (@every 1m): a
	// longer interval would skip slots.
	MaxQueueScheduleInterval = time.Minute
)

// queueName is what a stream or group may be called.
var queueName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// WorkerCount is the number of in-process workers (the default when unset).
func (q QueueConfig) WorkerCount() int {
	if q.Workers == nil {
		return DefaultQueueWorkers
	}
	return *q.Workers
}

// SchedulerOn reports whether this process runs the scheduler (the default when unset).
func (q QueueConfig) SchedulerOn() bool {
	return q.Scheduler == nil || *q.Scheduler
}

// RedisOptions parses RedisURL; the error never shows the URL or its password.
func (q QueueConfig) RedisOptions() (*redis.Options, error) {
	opts, err := redis.ParseURL(q.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("queue.redis_url: want redis://[user:password@]host:port[/db] or rediss://...: %s", redactURL(q.RedisURL, err.Error()))
	}
	return opts, nil
}

// redactURL removes from msg the password, and the whole URL, of rawURL.
func redactURL(rawURL, msg string) string {
	if rawURL == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, rawURL, "<redis_url>")
	if u, err := url.Parse(rawURL); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(pw), "xxxxx")
		}
	}
	if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		if userinfo, _, ok := strings.Cut(rest, "@"); ok {
			if _, pw, ok := strings.Cut(userinfo, ":"); ok && pw != "" {
				msg = strings.ReplaceAll(msg, pw, "xxxxx")
			}
		}
	}
	return msg
}

func (q QueueConfig) validate() error {
	if q.RedisURL != "" {
		if _, err := q.RedisOptions(); err != nil {
			return err
		}
	}
	switch {
	case !queueName.MatchString(q.Stream):
		return errors.New("queue.stream: want letters, digits, '.', '_' or '-' (at most 64, not starting with one of the last three)")
	case !queueName.MatchString(q.Group):
		return errors.New("queue.group: want letters, digits, '.', '_' or '-' (at most 64, not starting with one of the last three)")
	case q.VisibilityTimeout < model.Duration(time.Second):
		return errors.New("queue.visibility_timeout: must be at least 1s")
	case q.MaxAttempts <= 0:
		return errors.New("queue.max_attempts: must be greater than 0")
	case q.WorkerCount() < 0:
		return errors.New("queue.workers: must not be negative")
	case q.ScheduleInterval < model.Duration(time.Second) || q.ScheduleInterval > model.Duration(MaxQueueScheduleInterval):
		return errors.New("queue.schedule_interval: must be between 1s and 1m (the shortest period of a schedule)")
	}
	return nil
}

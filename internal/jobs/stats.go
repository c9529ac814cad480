package jobs

import "time"

// Stats is what a queue holds and who takes from it, for metrics.
type Stats struct {
	// Depth counts the ids in the queue: waiting, leased or waiting for a retry.
	Depth int64
	// Waiting counts the ids ready for a worker now.
	Waiting int64
	// Leased counts the ids a worker holds.
	Leased int64
	// OldestWaiting is when the id that has waited longest for a worker
	// became ready (enqueued, handed back or due for its retry); zero when
	// none waits.
	OldestWaiting time.Time
	// DeadLetters counts the ids kept in the dead letters.
	DeadLetters int64
	// Consumers counts the workers the queue knows of; ConsumersAlive
	// those that received or extended a lease within two visibility
	// timeouts (an idle worker polls well within one).
	Consumers, ConsumersAlive int
}

// Package jobs runs long operations as jobs: a Queue that carries job ids
// (in-process by default, Redis Streams when configured) and a Runner whose
// workers claim each job's record in the history store under a fencing
// token, run the handler registered for its kind and finish it exactly once.
package jobs

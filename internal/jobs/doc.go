// Package jobs runs long operations as jobs: a Queue that carries job ids
// (in-process by default, Redis Streams when configured) and a Runner whose
// workers claim each job's record in the history store under a fencing
// token, run the handler registered for its kind and finish it exactly once.
// A Reconciler, run by the Runner, repairs the queue from the records (the
// truth): queued jobs missing from it are enqueued again, jobs of workers
// lost with their lease are handed back or failed, under the fencing token.
package jobs

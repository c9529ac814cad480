// Package jobqueue builds the job queue an opsproxy or a worker process uses, from the queue
// section of the configuration: Redis Streams when queue.redis_url is set, in-process
// otherwise; runs this process's workers of it, and records each job's start and outcome in
// the audit log against the user who asked.
package jobqueue

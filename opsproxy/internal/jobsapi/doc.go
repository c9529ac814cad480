// Package jobsapi is the jobs area of the API: enqueue a job of a registered kind, list and
// read jobs, cancel one and follow its progress as Server-Sent Events. A job needs the role of
// the operation it performs, and a token limited to clusters sees only the jobs of its
// clusters: a job of another cluster answers 404, as one that does not exist, so that its
// existence does not leak.
package jobsapi

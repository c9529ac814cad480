package jobs

import "encoding/json"

// Kind is everything about one kind of job that its producers and its workers must agree on:
// the API that enqueues it checks the caller's role and the parameters, the workers run it.
// Both sides build their Kinds from the same function, so a worker never meets a kind the API
// would not accept, nor the reverse.
type Kind struct {
	// Name is the job's kind as stored in its record ("defragment", "snapshot").
	Name string
	// Role is the least opsproxy role ("viewer", "editor", "admin") that may enqueue the job:
	// the role of the operation the job performs.
	Role string
	// Cluster says the job acts on one cluster, named in the record (and the caller's token
	// must be allowed that cluster).
	Cluster bool
	// Mutating says the job changes a cluster or files, so enqueueing it is refused in
	// read-only situations exactly as a mutating API call is.
	Mutating bool
	// Validate checks the parameters (a JSON object, possibly empty) before a job is created;
	// its error names the field. Nil accepts any object.
	Validate func(params json.RawMessage) error
	// Admit, when set, decides whether a job with valid parameters may be created for a
	// cluster as it is configured now (a benchmark of a protected cluster needs force); its
	// error says why not (wrapped with InvalidParameters when the parameters do not suit
	// that cluster). The handler checks again when it runs, as the configuration may
	// have changed meanwhile.
	Admit func(cluster string, params json.RawMessage) error
	// Handler runs the job, with Options.
	Handler Handler
	Options HandleOptions
}

// HandleKinds registers each kind's handler with r.
func (r *Runner) HandleKinds(kinds []Kind) {
	for _, k := range kinds {
		r.Handle(k.Name, k.Handler, k.Options)
	}
}

package resultapi

import "github.com/etcd-monitor/etcd-monitor/internal/store"

// Kind is one kind of stored result as an area of the API names it.
type Kind struct {
	Result store.ResultKind
	// Noun names one result of the kind in errors ("benchmark", "disk test").
	Noun string
	// Plural names several ("benchmarks", "disk tests").
	Plural string
}

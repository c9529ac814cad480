package clusterconfig

import (
	"errors"
	"fmt"
)

// Clusters is the `clusters:` list of a configuration file. Decoding it checks every entry and
// that names are unique; errors name the entry by index (`clusters[1].endpoints: must not be empty`).
type Clusters []Cluster

// UnmarshalYAML decodes the entries one by one so that an error carries its entry's index.
func (cs *Clusters) UnmarshalYAML(unmarshal func(any) error) error {
	var raw []rawCluster
	if err := unmarshal(&raw); err != nil {
		return err
	}
	out := make(Clusters, 0, len(raw))
	seen := map[string]int{}
	for i, r := range raw {
		if r.err != nil {
			return fmt.Errorf("clusters[%d].%w", i, r.err)
		}
		if j, dup := seen[r.c.Name]; dup {
			return fmt.Errorf("clusters[%d].name: %q is already used by clusters[%d]", i, r.c.Name, j)
		}
		seen[r.c.Name] = i
		out = append(out, r.c)
	}
	*cs = out
	return nil
}

// Get returns the cluster with the given name.
func (cs Clusters) Get(name string) (Cluster, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return Cluster{}, false
}

// rawCluster holds one decoded entry or the validation error it produced, so that the list can
// prefix the error with the entry's index. Strict-decoding errors (unknown fields, wrong types)
// are returned by the decoder itself with their line number.
type rawCluster struct {
	c   Cluster
	err error
}

func (r *rawCluster) UnmarshalYAML(unmarshal func(any) error) error {
	if err := r.c.decode(unmarshal); errors.Is(err, errProtection) {
		r.err = err
		return nil
	} else if err != nil {
		return err
	}
	r.err = r.c.Validate()
	return nil
}

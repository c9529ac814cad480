package auditseal

import (
	"errors"
	"fmt"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
)

// Config is the sealing part of a component's audit configuration
// (opsproxy's `audit:` section):
//
//	signing_key_file: /etc/etcd-monitor/audit-signing.key
//	witness:
//	  file: /var/lib/etcd-monitor-witness/audit-checkpoints.jsonl
//	  etcd:
//	    key: /etcd-monitor/audit/checkpoint
//	    cluster: {name: witness, endpoints: [https://10.0.0.9:2379], ...}
type Config struct {
	// SigningKeyFile is the Ed25519 private key (etcd-monitor audit keygen).
	// Empty: checkpoints are not signed and the log is tamper-evident only
	// against those who cannot write the database.
	SigningKeyFile string        `yaml:"signing_key_file,omitempty"`
	Witness        WitnessConfig `yaml:"witness,omitempty"`
}

// WitnessConfig names the witnesses checkpoints are published to.
type WitnessConfig struct {
	// File is an append-only JSON-lines file.
	File string `yaml:"file,omitempty"`
	// Etcd keeps the newest checkpoint under a key of an etcd cluster.
	Etcd *EtcdWitnessConfig `yaml:"etcd,omitempty"`
}

// EtcdWitnessConfig is a key in an etcd cluster, reached with the same
// settings as any cluster etcd-monitor connects to.
type EtcdWitnessConfig struct {
	// Key is where the newest checkpoint is kept.
	Key string `yaml:"key"`
	// Cluster is the witness cluster, in the format of a `clusters` entry; use one the
	// database's administrators cannot write.
	Cluster clusterconfig.Cluster `yaml:"cluster"`
}

// Enabled reports whether checkpoints are to be signed.
func (c Config) Enabled() bool { return c.SigningKeyFile != "" }

// Validate checks the settings; the error names the field relative to the
// section (`witness.etcd.key: must not be empty`).
func (c Config) Validate() error {
	hasWitness := c.Witness.File != "" || c.Witness.Etcd != nil
	switch {
	case hasWitness && c.SigningKeyFile == "":
		return errors.New("signing_key_file: must be set when a witness is")
	case c.SigningKeyFile != "" && !hasWitness:
		return errors.New("witness: set file or etcd: without a witness outside the database a cut tail goes unnoticed")
	case c.Witness.Etcd != nil && strings.TrimSpace(c.Witness.Etcd.Key) == "":
		return errors.New("witness.etcd.key: must not be empty")
	case c.Witness.Etcd != nil:
		if err := c.Witness.Etcd.Cluster.Validate(); err != nil {
			return fmt.Errorf("witness.etcd.cluster.%w", err)
		}
	}
	return nil
}

// OpenWitnesses opens the configured witnesses; close them when done.
func (c WitnessConfig) OpenWitnesses() ([]Witness, error) {
	var out []Witness
	if c.File != "" {
		w, err := OpenFileWitness(c.File)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if c.Etcd != nil {
		w, err := OpenEtcdWitness(*c.Etcd)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

func closeAll(ws []Witness) {
	for _, w := range ws {
		_ = w.Close()
	}
}

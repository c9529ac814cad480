package clusterconfig

import (
	"fmt"
	"os"

	"go.yaml.in/yaml/v2"
)

// DecodeFile reads a YAML file strictly (unknown keys are errors) into out, whose types apply
// their own defaults and validation.
func DecodeFile(path string, out any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	if err := yaml.UnmarshalStrict(data, out); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	return nil
}

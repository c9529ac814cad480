package alertmanager

import (
	"bytes"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"
)

// Overrides are the deployment-specific values of alertmanager.yml. Empty fields keep the
// shipped value.
type Overrides struct {
	SMTPSmarthost           string // global.smtp_smarthost, host:port
	SMTPRequireTLS          *bool  // global.smtp_require_tls
	SMTPAuthPasswordFile    string // global.smtp_auth_password_file
	SlackAPIURLFile         string // api_url_file of every slack_configs entry
	PagerDutyURL            string // global.pagerduty_url
	PagerDutyRoutingKeyFile string // routing_key_file of every pagerduty_configs entry
	// TemplatesGlob replaces the templates list; needed when the copy is written outside this
	// directory, because Alertmanager resolves relative template paths against the config file.
	TemplatesGlob string
}

// Overlay returns src (an alertmanager.yml) with the overrides applied, keeping everything else,
// including the YAML anchors that share receiver settings.
func Overlay(src []byte, o Overrides) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse alertmanager config: %w", err)
	}
	set := func(key, value string) {
		if value != "" {
			setAll(&doc, key, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
		}
	}
	set("smtp_smarthost", o.SMTPSmarthost)
	set("smtp_auth_password_file", o.SMTPAuthPasswordFile)
	set("api_url_file", o.SlackAPIURLFile)
	set("pagerduty_url", o.PagerDutyURL)
	set("routing_key_file", o.PagerDutyRoutingKeyFile)
	if o.SMTPRequireTLS != nil {
		setAll(&doc, "smtp_require_tls", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(*o.SMTPRequireTLS)})
	}
	if o.TemplatesGlob != "" {
		setAll(&doc, "templates", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: o.TemplatesGlob}}})
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode alertmanager config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode alertmanager config: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteOverlay reads the config at src, applies o and writes the result to dst.
func WriteOverlay(src, dst string, o Overrides) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("read alertmanager config: %w", err)
	}
	out, err := Overlay(b, o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(dst, out, 0o600); err != nil {
		return fmt.Errorf("write alertmanager config: %w", err)
	}
	return nil
}

// setAll replaces the value of key in every mapping under n (aliases are followed through their
// anchors, which are visited once).
func setAll(n *yaml.Node, key string, value *yaml.Node) {
	if n == nil || n.Kind == yaml.AliasNode {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				v := *value
				n.Content[i+1] = &v
			}
		}
	}
	for _, c := range n.Content {
		setAll(c, key, value)
	}
}

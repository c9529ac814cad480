package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/alertmanager"
	"github.com/etcd-monitor/etcd-monitor/internal/capture"
)

// Receivers are the capture servers that stand in for the SMTP relay, Slack and PagerDuty.
type Receivers struct {
	SMTP      *capture.SMTPServer
	Slack     *capture.SlackServer
	PagerDuty *capture.PagerDutyServer
	// Overrides point alertmanager.yml at the servers, secrets passed through files as in production.
	Overrides alertmanager.Overrides
}

// Secrets the test's Alertmanager reads from files; they must reach the receivers unchanged.
const (
	smtpPassword        = "e2e-smtp-password"
	pagerDutyRoutingKey = "e2e0routing0key0000000000000000a"
)

// StartReceivers starts the capture servers, closed at test cleanup; on failure, what each
// received is summarised in the test log.
func StartReceivers(t testing.TB) *Receivers {
	t.Helper()
	smtp, err := capture.NewSMTPServer()
	if err != nil {
		t.Fatalf("receivers: %v", err)
	}
	t.Cleanup(smtp.Close)
	slack, err := capture.NewSlackServer()
	if err != nil {
		t.Fatalf("receivers: %v", err)
	}
	t.Cleanup(slack.Close)
	pd, err := capture.NewPagerDutyServer()
	if err != nil {
		t.Fatalf("receivers: %v", err)
	}
	t.Cleanup(pd.Close)

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatalf("receivers: %v", err)
		}
		return p
	}
	noTLS := false
	r := &Receivers{SMTP: smtp, Slack: slack, PagerDuty: pd, Overrides: alertmanager.Overrides{
		SMTPSmarthost:           smtp.Addr(),
		SMTPRequireTLS:          &noTLS,
		SMTPAuthPasswordFile:    write("smtp-password", smtpPassword),
		SlackAPIURLFile:         write("slack-webhook-url", slack.URL()),
		PagerDutyURL:            pd.URL(),
		PagerDutyRoutingKeyFile: write("pagerduty-routing-key", pagerDutyRoutingKey),
	}}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, m := range slack.Messages() {
			for _, a := range m.Attachments {
				t.Logf("slack got: %s", a.Title)
			}
		}
		for _, e := range pd.Events() {
			t.Logf("pagerduty got: %s %s %s", e.EventAction, e.DedupKey, e.Payload.Summary)
		}
		for _, e := range smtp.Emails() {
			t.Logf("email got: %s", e.Subject)
		}
	})
	return r
}

// waitNew polls list until an item at index from or later matches, and returns it; it fails
// the test when ctx ends first. Items before from arrived before the step under test began.
func waitNew[T any](ctx context.Context, t testing.TB, what string, list func() []T, from int, match func(T) bool) T {
	t.Helper()
	start := time.Now()
	for {
		items := list()
		for _, it := range items[min(from, len(items)):] {
			if match(it) {
				t.Logf("got %s after %s", what, time.Since(start).Round(10*time.Millisecond))
				return it
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %d received since the step began, none matched: %v", what, len(items)-min(from, len(items)), ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

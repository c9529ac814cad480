package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/capture"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/rules"
)

const (
	cluster     = "e2e"
	etcdJob     = "etcd"         // matches the default etcd_selector of rules/config/settings.yml
	exporterJob = "etcd-monitor" // matches the default exporter_selector
	runbooks    = "https://github.com/etcd-monitor/etcd-monitor/blob/main/docs/runbooks.md#"
	// shortFor replaces the `for:` of the alerts the scenario drives.
	shortFor = model.Duration(3 * time.Second)
)

// TestEtcdFaultsReachTheRightReceiversAndResolve drives real faults through the whole pipeline:
// etcd members (one process each) and the exporter, scraped by Prometheus with our rules,
// alerts routed by Alertmanager with our configuration to SMTP, Slack and PagerDuty capture
// servers. One member down pages (PagerDuty, Slack and email: critical alerts are also mailed,
// as the written record of every page); two down is a lost quorum, which pages and inhibits the
// member-level alert; bringing the members back resolves both; an exporter that cannot be
// scraped is a warning, which goes to Slack and email.
func TestEtcdFaultsReachTheRightReceiversAndResolve(t *testing.T) {
	for _, names := range [][]string{{"prometheus"}, {"prometheus-alertmanager", "alertmanager"}} {
		if _, err := findProgram(names...); err != nil {
			t.Fatalf("the end-to-end test needs the real program: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	// Each step has its own bound, generous against a loaded 2-core machine; the whole test
	// usually takes about a minute.
	step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 90*time.Second) }

	recv := StartReceivers(t)
	am := StartAlertmanager(ctx, t, recv.Overrides, Timings{
		GroupWait: time.Second, GroupInterval: time.Second, RepeatInterval: 4 * time.Second,
	})

	etcd := etcdtest.New(t, etcdtest.Config{Size: 3, ProcessPerMember: true})
	exp := StartExporter(t, fmt.Sprintf(`clusters:
  - name: %s
    endpoints: [%s]
    dial_timeout: 1s
    request_timeout: 1s
`, cluster, strings.Join(etcd.Endpoints(), ", ")))

	rulesDir := t.TempDir()
	writeRules(t, rulesDir, func(c *rules.Config) {
		c.ScrapeInterval = model.Duration(time.Second)
		shortenFor(t, c, "etcdMembersDown", "critical", shortFor)
		shortenFor(t, c, "etcdInsufficientMembers", "critical", shortFor)
		shortenFor(t, c, "etcdMonitorQuorumAtRisk", "critical", shortFor)
		shortenFor(t, c, "etcdMonitorExporterDown", "warning", shortFor)
	})
	var targets []string
	for _, m := range etcd.Members {
		u, err := url.Parse(m.ClientURL)
		if err != nil {
			t.Fatalf("member client URL: %v", err)
		}
		targets = append(targets, u.Host)
	}
	prom := StartPrometheus(ctx, t, PrometheusConfig{
		Interval:         time.Second,
		RulesDir:         rulesDir,
		Alertmanager:     am.Addr,
		Cluster:          cluster,
		EtcdJob:          etcdJob,
		EtcdTargets:      targets,
		ExporterJob:      exporterJob,
		ExporterAddr:     exp.Addr,
		ExporterInterval: 2 * time.Second,
	})
	prom.WaitReadyToAlert(ctx, t, "etcdMembersDown", "etcdInsufficientMembers", "etcdMonitorQuorumAtRisk", "etcdMonitorExporterDown")

	// Stop two followers, so that the first fault is not also a leader election.
	leader := etcd.Leader(t)
	var followers []*etcdtest.Member
	for i, m := range etcd.Members {
		if i != leader {
			followers = append(followers, m)
		}
	}
	first, second := followers[0], followers[1]

	var membersDownKey, insufficientKey string
	t.Run("one member down pages through PagerDuty, Slack and email", func(t *testing.T) {
		sctx, cancel := step()
		defer cancel()
		slackFrom, pdFrom, mailFrom := len(recv.Slack.Messages()), len(recv.PagerDuty.Events()), len(recv.SMTP.Emails())
		first.Stop(t)

		ev := waitNew(sctx, t, "PagerDuty trigger of etcdMembersDown", recv.PagerDuty.Events, pdFrom, pdTrigger("etcdMembersDown"))
		checkPagerDuty(t, ev, "etcdMembersDown")
		membersDownKey = ev.DedupKey
		msg := waitNew(sctx, t, "Slack message of etcdMembersDown", recv.Slack.Messages, slackFrom, slackFiring("etcdMembersDown"))
		checkSlack(t, msg, "etcdMembersDown", "critical")
		mail := waitNew(sctx, t, "email of etcdMembersDown", recv.SMTP.Emails, mailFrom, emailFiring("etcdMembersDown"))
		checkEmail(t, mail, "etcdMembersDown", "critical")
		// The exporter's outside view says the same: no failure tolerance is left.
		ev = waitNew(sctx, t, "PagerDuty trigger of etcdMonitorQuorumAtRisk", recv.PagerDuty.Events, pdFrom, pdTrigger("etcdMonitorQuorumAtRisk"))
		checkPagerDuty(t, ev, "etcdMonitorQuorumAtRisk")
	})
	if t.Failed() {
		return
	}

	t.Run("two members down page insufficient members and inhibit members down", func(t *testing.T) {
		sctx, cancel := step()
		defer cancel()
		slackFrom, pdFrom := len(recv.Slack.Messages()), len(recv.PagerDuty.Events())
		second.Stop(t)

		ev := waitNew(sctx, t, "PagerDuty trigger of etcdInsufficientMembers", recv.PagerDuty.Events, pdFrom, pdTrigger("etcdInsufficientMembers"))
		checkPagerDuty(t, ev, "etcdInsufficientMembers")
		insufficientKey = ev.DedupKey
		msg := waitNew(sctx, t, "Slack message of etcdInsufficientMembers", recv.Slack.Messages, slackFrom, slackFiring("etcdInsufficientMembers"))
		checkSlack(t, msg, "etcdInsufficientMembers", "critical")

		// Alertmanager says etcdMembersDown is inhibited, by etcdInsufficientMembers.
		poll(sctx, t, "etcdMembersDown inhibited by etcdInsufficientMembers", func(ctx context.Context) error {
			sources, err := am.Alerts(ctx, `alertname="etcdInsufficientMembers"`, `cluster="`+cluster+`"`)
			if err != nil {
				return err
			}
			targets, err := am.Alerts(ctx, `alertname="etcdMembersDown"`, `cluster="`+cluster+`"`)
			if err != nil {
				return err
			}
			if len(sources) != 1 || len(targets) != 1 {
				return fmt.Errorf("alertmanager holds %d etcdInsufficientMembers and %d etcdMembersDown alerts, want one each", len(sources), len(targets))
			}
			st := targets[0].Status
			if st.State != "suppressed" || !slices.Contains(st.InhibitedBy, sources[0].Fingerprint) {
				return fmt.Errorf("etcdMembersDown is %s, inhibited by %v; want suppressed by %s", st.State, st.InhibitedBy, sources[0].Fingerprint)
			}
			return nil
		})

		// While inhibited, etcdMembersDown is not repeated. A repeat of etcdInsufficientMembers
		// (same route, same repeat interval, first sent later) shows that a repeat of
		// etcdMembersDown would have been due by now.
		slackInhibited, pdInhibited, mailInhibited := len(recv.Slack.Messages()), len(recv.PagerDuty.Events()), len(recv.SMTP.Emails())
		waitNew(sctx, t, "a repeat of etcdInsufficientMembers on Slack", recv.Slack.Messages, slackInhibited, slackFiring("etcdInsufficientMembers"))
		for _, m := range recv.Slack.Messages()[slackInhibited:] {
			if slackFiring("etcdMembersDown")(m) {
				t.Errorf("Slack got etcdMembersDown while it was inhibited: %s", m.Attachments[0].Title)
			}
		}
		for _, e := range recv.PagerDuty.Events()[pdInhibited:] {
			if e.DedupKey == membersDownKey {
				t.Errorf("PagerDuty got a %s of etcdMembersDown while it was inhibited", e.EventAction)
			}
		}
		for _, e := range recv.SMTP.Emails()[mailInhibited:] {
			if emailFiring("etcdMembersDown")(e) {
				t.Errorf("email got etcdMembersDown while it was inhibited: %s", e.Subject)
			}
		}
	})
	if t.Failed() {
		return
	}

	t.Run("quorum back resolves insufficient members", func(t *testing.T) {
		sctx, cancel := step()
		defer cancel()
		slackFrom, pdFrom := len(recv.Slack.Messages()), len(recv.PagerDuty.Events())
		second.Restart(t)

		waitNew(sctx, t, "PagerDuty resolve of etcdInsufficientMembers", recv.PagerDuty.Events, pdFrom, pdResolve(insufficientKey))
		msg := waitNew(sctx, t, "Slack resolution of etcdInsufficientMembers", recv.Slack.Messages, slackFrom, slackResolved("etcdInsufficientMembers"))
		checkSlack(t, msg, "etcdInsufficientMembers", "critical")
	})
	if t.Failed() {
		return
	}

	t.Run("every member back resolves members down", func(t *testing.T) {
		sctx, cancel := step()
		defer cancel()
		slackFrom, pdFrom := len(recv.Slack.Messages()), len(recv.PagerDuty.Events())
		first.Restart(t)

		waitNew(sctx, t, "PagerDuty resolve of etcdMembersDown", recv.PagerDuty.Events, pdFrom, pdResolve(membersDownKey))
		msg := waitNew(sctx, t, "Slack resolution of etcdMembersDown", recv.Slack.Messages, slackFrom, slackResolved("etcdMembersDown"))
		checkSlack(t, msg, "etcdMembersDown", "critical")
	})
	if t.Failed() {
		return
	}

	t.Run("exporter down warns through Slack and email", func(t *testing.T) {
		sctx, cancel := step()
		defer cancel()
		slackFrom, mailFrom := len(recv.Slack.Messages()), len(recv.SMTP.Emails())
		exp.Stop()

		mail := waitNew(sctx, t, "email of etcdMonitorExporterDown", recv.SMTP.Emails, mailFrom, emailFiring("etcdMonitorExporterDown"))
		checkEmail(t, mail, "etcdMonitorExporterDown", "warning")
		msg := waitNew(sctx, t, "Slack message of etcdMonitorExporterDown", recv.Slack.Messages, slackFrom, slackFiring("etcdMonitorExporterDown"))
		checkSlack(t, msg, "etcdMonitorExporterDown", "warning")
	})

	// Critical alerts page and are also mailed: email is the written record of every page.
	emails := recv.SMTP.Emails()
	for _, a := range []string{"etcdMembersDown", "etcdInsufficientMembers", "etcdMonitorQuorumAtRisk"} {
		if i := slices.IndexFunc(emails, emailFiring(a)); i < 0 {
			t.Errorf("critical alert %s was not emailed", a)
		} else {
			checkEmail(t, emails[i], a, "critical")
		}
	}
}

// title is the notification title of alertmanager/templates/common.tmpl without its status.
func title(alert, severity string) string {
	return fmt.Sprintf("%s · %s (%s)", alert, cluster, severity)
}

func slackFiring(alert string) func(capture.SlackMessage) bool {
	return func(m capture.SlackMessage) bool {
		return len(m.Attachments) > 0 && strings.HasPrefix(m.Attachments[0].Title, "[FIRING") &&
			strings.Contains(m.Attachments[0].Title, "] "+alert+" · ")
	}
}

func slackResolved(alert string) func(capture.SlackMessage) bool {
	return func(m capture.SlackMessage) bool {
		return len(m.Attachments) > 0 && strings.HasPrefix(m.Attachments[0].Title, "[RESOLVED] "+alert+" · ")
	}
}

func emailFiring(alert string) func(capture.Email) bool {
	return func(e capture.Email) bool {
		return strings.HasPrefix(e.Subject, "[FIRING") && strings.Contains(e.Subject, "] "+alert+" · ")
	}
}

func pdTrigger(alert string) func(capture.PagerDutyEvent) bool {
	return func(e capture.PagerDutyEvent) bool { return e.EventAction == "trigger" && e.Payload.Class == alert }
}

func pdResolve(dedupKey string) func(capture.PagerDutyEvent) bool {
	return func(e capture.PagerDutyEvent) bool { return e.EventAction == "resolve" && e.DedupKey == dedupKey }
}

// checkSlack checks a Slack message names the alert, cluster and severity and links the alert's runbook.
func checkSlack(t *testing.T, m capture.SlackMessage, alert, severity string) {
	t.Helper()
	a := m.Attachments[0]
	if !strings.HasSuffix(a.Title, title(alert, severity)) {
		t.Errorf("Slack title %q, want it to end with %q", a.Title, title(alert, severity))
	}
	for _, want := range []string{"*Cluster:* `" + cluster + "`", "*Severity:* `" + severity + "`", "<" + runbooks + strings.ToLower(alert) + "|Runbook>"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("Slack text of %s lacks %q:\n%s", alert, want, a.Text)
		}
	}
	if !slices.ContainsFunc(a.Actions, func(act capture.SlackAction) bool {
		return act.Text == "Runbook" && act.URL == runbooks+strings.ToLower(alert)
	}) {
		t.Errorf("Slack message of %s has no Runbook button to %s: %+v", alert, runbooks+strings.ToLower(alert), a.Actions)
	}
}

// checkPagerDuty checks a PagerDuty trigger names the alert, cluster and severity, links the
// alert's runbook and carries the routing key from its secret file.
func checkPagerDuty(t *testing.T, e capture.PagerDutyEvent, alert string) {
	t.Helper()
	p := e.Payload
	if e.RoutingKey != pagerDutyRoutingKey {
		t.Errorf("PagerDuty routing key %q, want the one from the secret file", e.RoutingKey)
	}
	if p.Severity != "critical" || p.Group != cluster || p.Class != alert {
		t.Errorf("PagerDuty payload severity=%q group=%q class=%q, want critical, %s, %s", p.Severity, p.Group, p.Class, cluster, alert)
	}
	if !strings.Contains(p.Summary, title(alert, "critical")) {
		t.Errorf("PagerDuty summary %q lacks %q", p.Summary, title(alert, "critical"))
	}
	if got := p.CustomDetails["runbook_url"]; got != runbooks+strings.ToLower(alert) {
		t.Errorf("PagerDuty runbook_url %v, want %s", got, runbooks+strings.ToLower(alert))
	}
	if got := p.CustomDetails["cluster"]; got != cluster {
		t.Errorf("PagerDuty custom detail cluster %v, want %s", got, cluster)
	}
}

// checkEmail checks an email names the alert, cluster and severity, links the alert's runbook
// and was sent with the SMTP password from its secret file.
func checkEmail(t *testing.T, e capture.Email, alert, severity string) {
	t.Helper()
	if !strings.HasSuffix(e.Subject, title(alert, severity)) {
		t.Errorf("email subject %q, want it to end with %q", e.Subject, title(alert, severity))
	}
	if e.AuthPassword != smtpPassword {
		t.Errorf("email sent with SMTP password %q, want the one from the secret file", e.AuthPassword)
	}
	for _, want := range []string{
		"FIRING " + alert + " (" + severity + ")", "Cluster:     " + cluster, "Runbook:     " + runbooks + strings.ToLower(alert),
	} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("email text of %s lacks %q:\n%s", alert, want, e.Text)
		}
	}
	if !strings.Contains(e.HTML, `href="`+runbooks+strings.ToLower(alert)+`"`) {
		t.Errorf("email HTML of %s has no runbook link:\n%s", alert, e.HTML)
	}
}

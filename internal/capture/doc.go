// Package capture provides local stand-ins for the SaaS endpoints Alertmanager notifies — an SMTP
// server, a Slack incoming webhook and the PagerDuty Events API v2 — that speak the real protocols
// on 127.0.0.1 and record what arrives, so tests can wait for and inspect notifications.
package capture

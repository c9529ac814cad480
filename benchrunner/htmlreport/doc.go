// Package htmlreport renders benchmark runs as one self-contained HTML page for pasting into a
// ticket: each run's summary, the latency distribution, per-second throughput and p99 charts
// with the runs overlaid, and the regression verdict of each later run against the first.
// Styles and charts (SVG) are inline; the page loads nothing from anywhere.
package htmlreport

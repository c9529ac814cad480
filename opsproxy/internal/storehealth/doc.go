// Package storehealth tracks whether the history store answers, from the outcome of every
// store call opsproxy makes, so that authentication and the audit pipeline can keep serving
// reads through an outage and /-/healthy and the metrics can say since when it is down.
package storehealth

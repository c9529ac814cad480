// Package config is opsproxy's configuration file: its sections, their defaults and the checks
// that name a bad field. The opsproxy package re-exports it; the API areas read it.
package config

// Package tracker keeps task state as an append-only history in tasks.state.json. Each
// change is appended as one event under a directory lock, by rewriting the file through an
// atomic rename with every earlier event unchanged; current state is the replay of events.
package tracker

// Package keys is opsproxy's keys area: reading a key, a prefix or a range (paged), puts,
// deletes, compare-and-swap and server-sent-event watches, each under the token's key scope.
package keys

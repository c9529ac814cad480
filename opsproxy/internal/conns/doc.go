// Package conns holds opsproxy's connections to the configured etcd clusters: a client per
// cluster made in the background, clients to single members on demand, the merging of
// concurrent reads and writes into transactions, and a connection's life across reloads.
package conns

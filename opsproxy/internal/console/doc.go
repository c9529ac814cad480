// Package console runs etcdctl command lines against a cluster for opsproxy's console API,
// the `ctl` shell and the app's Console page. A line is parsed with etcdctl's grammar
// (grammar.go), mapped onto the opsproxy operation it performs, checked and audited as that
// operation, run through the cluster's client and printed as etcdctl 3.7 prints it.
package console

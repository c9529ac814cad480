// Package resultapi is what the areas that answer stored results (benchmarks, disk tests)
// share: the query of a list (cluster, name, limit, kept within the token's clusters) and
// reading one result by id, answered 404 when it is of another kind or cluster.
package resultapi

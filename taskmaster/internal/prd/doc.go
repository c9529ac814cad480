// Package prd reads a Markdown product requirements document into phases, the features
// planned in each and the requirements of each feature, with any priority and estimate the
// author wrote. It accepts many shapes of PRD (heading trees, lists, tables) and rejects
// input it cannot read with an error naming the line.
package prd

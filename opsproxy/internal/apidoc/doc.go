// Package apidoc is opsproxy's API description area: the OpenAPI document embedded in the
// binary, served as YAML and as JSON without a token, so that clients and tools can read the
// API of the server they talk to.
package apidoc

package opsproxy

import _ "embed"

// openAPISpec is openapi.yaml, the description of every route, served at
// /api/v1/openapi.yaml and /api/v1/openapi.json.
//
//go:embed openapi.yaml
var openAPISpec []byte

// Package core is opsproxy's small core: the route table every API area registers its
// operations in (with role, cluster scope and mutating flag), authentication, RBAC, the audit
// hook around each operation, error answers and the request metrics.
package core

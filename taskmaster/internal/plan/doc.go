// Package plan is the shape of tasks.json: phases → tasks → subtasks with stable ids
// (task-1.1, task-1.1.1), priorities and estimated hours, built from a parsed PRD. A plan is
// a pure function of the PRD, so it can be regenerated and compared; task state lives elsewhere.
package plan

// Package whoami is opsproxy's whoami area: the principal a request acts as (user, token,
// effective role and scope), so that a console can offer only the actions that role may take.
package whoami

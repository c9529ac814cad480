// Package consolehistory is opsproxy's console history area: each user's own console history
// (search, pages, clear) and console settings, shared by the app's Console page and `ctl`.
// A user only ever reaches their own entries: the user is the request's principal, never a
// parameter.
package consolehistory

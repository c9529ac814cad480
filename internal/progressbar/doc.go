// Package progressbar shows how far a long command has come on its stderr: a bar
// (cheggaaa/pb) on a terminal, plain "progress: done/total (pct%)" lines otherwise, so
// the logs of scripted runs stay readable. diskprobe and bench both use it.
package progressbar

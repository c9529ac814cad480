// Package composetest proves docker-compose.yml and Dockerfile without a container engine: the
// compose file loads in Debian's docker-compose (v1) and in the compose specification's Go
// loader, everything it mounts or builds from is in the repository, each service's own
// configuration check passes on the files it mounts (its secrets as init-secrets.sh writes
// them), the diskprobe agents run with least privilege beside their members, the stack's own
// processes run on their compose commands, and the Dockerfile has the stages, user, health
// check and version stamping the Makefile's build has. It has only tests.
package composetest

#!/usr/bin/env bash
# Writes the secret files docker-compose.yml reads (compose `secrets:`) into
# deploy/compose/secrets/, or into the directory given as the first argument. A file that
# exists is kept, so running it again changes nothing. Passwords and tokens are random; the
# notification endpoints are placeholders to replace with your SMTP password, Slack webhook URL
# and PagerDuty routing key. grafana-service-token starts empty: README.md ("Run the whole stack
# with Docker Compose") says how to create the token in opsproxy and put it there.
set -euo pipefail

dir=${1:-$(dirname "$0")/secrets}
mkdir -p "$dir"
chmod 0700 "$dir"
umask 077

random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

write() { # write NAME CONTENT: only when NAME does not exist
  local f="$dir/$1"
  if [ -e "$f" ]; then
    echo "kept    $f"
    return
  fi
  # Written beside it and renamed: an interrupted run leaves no half-written secret.
  printf '%s\n' "$2" >"$f.tmp.$$"
  # The containers run as other users (opsproxy 65532, Grafana 472, postgres 70) and compose
  # bind-mounts these files as they are: readable by all, writable by you only; the directory
  # (0700) keeps other local users out.
  chmod 0644 "$f.tmp.$$"
  mv "$f.tmp.$$" "$f"
  echo "created $f"
}

pg=$(random)
if [ -e "$dir/postgres-password" ]; then
  pg=$(tr -d '\n' <"$dir/postgres-password")
fi
write postgres-password "$pg"
write opsproxy-pgpass "timescaledb:5432:etcd_monitor:etcd_monitor:$pg"
write opsproxy-admin-token "$(random)"
write grafana-admin-password "$(random)"
write grafana-service-token ""
write alertmanager-smtp-password "replace-with-the-smtp-password"
write alertmanager-slack-webhook-url "https://hooks.slack.com/services/REPLACE/WITH/YOURS"
write alertmanager-pagerduty-routing-key "replace-with-the-pagerduty-routing-key"

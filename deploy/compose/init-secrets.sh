#!/usr/bin/env bash
# Writes the secret files docker-compose.yml reads (compose `secrets:`) into
# deploy/compose/secrets/, or into the directory given as the first argument. A file that
# exists is kept, so running it again changes nothing. Passwords and tokens are random; the
# notification endpoints are placeholders to replace with your SMTP password, Slack webhook URL
# and PagerDuty routing key. grafana-service-token starts empty: README.md ("Run the whole stack
# with Docker Compose") says how to create the token in opsproxy and put it there.
#
# The diskprobe agents' web configuration (diskprobe-web.yml, exporter-toolkit's) holds bcrypt
# hashes of three random passwords, one per identity: "opsproxy" (opsproxy and the worker run
# disk tests, the agents' --probe.user), "prometheus" (scrapes /metrics, may not probe) and
# "healthcheck" (the agents' own compose health check). The hashes come from perl's crypt()
# (glibc's libxcrypt knows bcrypt) or, where it does not, from htpasswd (apache2-utils). An
# existing diskprobe-web.yml is kept only while it matches the password files: after deleting a
# password file, delete diskprobe-web.yml too and run this again.
set -euo pipefail

dir=${1:-$(dirname "$0")/secrets}
mkdir -p "$dir"
chmod 0700 "$dir"
umask 077

random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# bcrypt PASSWORD-FILE [HASH]: with HASH, exit 0 when it is the hash of the file's password;
# without, print a new bcrypt hash (cost 10) of it. The password goes through stdin, never argv.
bcrypt() {
  local salt out
  if [ $# -eq 2 ]; then
    out=$(head -n 1 "$1" | HASH="$2" perl -e 'chomp(my $p = <STDIN>); print crypt($p, $ENV{HASH})' 2>/dev/null || true)
    if [[ $out =~ ^\$2 ]] || ! command -v htpasswd >/dev/null 2>&1; then
      [ "$out" = "$2" ]
      return
    fi
    # perl's crypt() has no bcrypt here: htpasswd verifies against a file of its own format.
    printf 'user:%s\n' "$2" >"$dir/.verify.$$"
    head -n 1 "$1" | htpasswd -vi "$dir/.verify.$$" user >/dev/null 2>&1 && out=ok || out=
    rm -f "$dir/.verify.$$"
    [ "$out" = ok ]
    return
  fi
  # 22 characters of bcrypt's base64; the last one carries only 4 bits of the 128-bit salt.
  salt=$(LC_ALL=C tr -dc './A-Za-z0-9' </dev/urandom | head -c 21)$(LC_ALL=C tr -dc '.Oeu' </dev/urandom | head -c 1)
  out=$(head -n 1 "$1" | SALT="\$2b\$10\$$salt" perl -e 'chomp(my $p = <STDIN>); print crypt($p, $ENV{SALT})' 2>/dev/null || true)
  if ! [[ $out =~ ^\$2b\$10\$[./A-Za-z0-9]{53}$ ]] && command -v htpasswd >/dev/null 2>&1; then
    out=$(head -n 1 "$1" | htpasswd -niBC 10 user | cut -d: -f2-)
  fi
  if ! [[ $out =~ ^\$2[aby]\$10\$[./A-Za-z0-9]{53}$ ]]; then
    echo "init-secrets.sh: cannot make a bcrypt hash: perl's crypt() has no bcrypt here; install htpasswd (Debian: apache2-utils)" >&2
    return 1
  fi
  printf '%s\n' "$out"
}

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

diskprobe_users=(opsproxy prometheus healthcheck)
for u in "${diskprobe_users[@]}"; do
  write "diskprobe-$u-password" "$(random)"
done
web="$dir/diskprobe-web.yml"
if [ -e "$web" ]; then
  for u in "${diskprobe_users[@]}"; do
    hash=$(sed -n "s/^  $u: '\(.*\)'\$/\1/p" "$web")
    if ! bcrypt "$dir/diskprobe-$u-password" "$hash"; then
      echo "init-secrets.sh: $web has no hash of diskprobe-$u-password (a password file was replaced?): delete $web and run again" >&2
      exit 1
    fi
  done
fi
config="# exporter-toolkit web configuration of the diskprobe agents (--web.config.file), written by
# init-secrets.sh. bcrypt hashes of the passwords in diskprobe-<user>-password.
basic_auth_users:"
if [ ! -e "$web" ]; then
  for u in "${diskprobe_users[@]}"; do
    config+=$'\n'"  $u: '$(bcrypt "$dir/diskprobe-$u-password")'"
  done
fi
write diskprobe-web.yml "$config"

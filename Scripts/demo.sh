#!/usr/bin/env bash
# The main job, end to end: installs what is needed, builds LostMail, brings up a demo fleet of
# four real sshd hosts on 127.0.10.1-4 loaded with the shared incident corpus, runs
# `lostmail respond` against it, shows one account's lost-mails.log and the summary, and takes
# the fleet down again (pass --keep to leave it running for `lostmail status/resume`).
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
[ "${1:-}" = "--keep" ] && keep=1

# Where the demo lives; each can be moved (e.g. to run two demos at once on one machine):
# LOSTMAIL_DEMO_FLEET (the fleet's folder), LOSTMAIL_DEMO_NET (its loopback net 127.X.Y),
# LOSTMAIL_DEMO_STATE (the state directory), LOSTMAIL_DEMO_MAIL and LOSTMAIL_DEMO_SMTP_PORT
# (the customers' mailboxes and the SMTP server's port on 127.0.0.1).
FLEET=${LOSTMAIL_DEMO_FLEET:-/var/tmp/lostmail-fleet}
NET=${LOSTMAIL_DEMO_NET:-127.0.10}
STATE=${LOSTMAIL_DEMO_STATE:-/var/tmp/lostmail-demo-state}
SMTP_PORT=${LOSTMAIL_DEMO_SMTP_PORT:-2525}

Scripts/setup.sh
swift build
Scripts/fleet.sh up --dir "$FLEET" --hosts 4 --net "$NET"
# Inventory/demo.yml names the default fleet; a moved one gets a copy naming its folder and net.
INVENTORY=Inventory/demo.yml
if [ "$FLEET" != /var/tmp/lostmail-fleet ] || [ "$NET" != 127.0.10 ]; then
  INVENTORY=$FLEET/demo-inventory.yml
  sed -e "s#/var/tmp/lostmail-fleet/#$FLEET/#g" -e "s/127\.0\.10\./$NET./g" Inventory/demo.yml >"$INVENTORY"
fi

# The customers' mailboxes: a real SMTP server on loopback (Debian's aiosmtpd) saving to a Maildir.
SINK=${LOSTMAIL_DEMO_MAIL:-/var/tmp/lostmail-demo-mail}
# Emptied each time, so what it shows below is what this run sent (the journal keeps the history).
rm -rf "$SINK/Maildir"
mkdir -p "$SINK"
/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$SINK/Maildir" \
    >"$SINK/server.log" 2>&1 &
sink_pid=$!
cleanup() {
  kill "$sink_pid" 2>/dev/null || true
  if [ $keep -eq 0 ]; then Scripts/fleet.sh down --dir "$FLEET"; fi
}
trap cleanup EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT) 2>/dev/null && break; sleep 0.1; done
if ! kill -0 "$sink_pid" 2>/dev/null; then
  echo "demo: the SMTP server did not start (is 127.0.0.1:$SMTP_PORT in use?):" >&2
  cat "$SINK/server.log" >&2
  exit 1
fi

status=0
.build/debug/lostmail respond --inventory "$INVENTORY" --playbook Playbooks/corpus-incident.yml \
    --state-dir "$STATE" --json "$STATE/last-report.json" --relay "127.0.0.1:$SMTP_PORT" || status=$?

echo
echo "== host1: ~web1/logs/lost-mails.log (written by LostMail as web1) =="
ls -l "$FLEET/h1/home/web1/logs/lost-mails.log"
cat "$FLEET/h1/home/web1/logs/lost-mails.log"
echo
echo "== the notification web1 on host1 received (first 40 lines) =="
mail=$(grep -l '^To: web1@host1' "$SINK"/Maildir/new/* 2>/dev/null | head -1 || true)
if [ -n "$mail" ]; then head -40 "$mail"; else echo "(none: already sent by an earlier demo run, see the journal)"; fi
echo
echo "== journal =="
.build/debug/lostmail status --state-dir "$STATE"
exit $status

#!/usr/bin/env bash
# The main job, end to end: installs what is needed, builds LostMail, brings up a demo fleet of
# four real sshd hosts on 127.0.10.1-4 loaded with the shared incident corpus, runs
# `lostmail respond` against it, shows one account's lost-mails.log and the summary, and takes
# the fleet down again (pass --keep to leave it running for `lostmail status/resume`).
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
[ "${1:-}" = "--keep" ] && keep=1

FLEET=/var/tmp/lostmail-fleet
STATE=/var/tmp/lostmail-demo-state

Scripts/setup.sh
swift build
Scripts/fleet.sh up --dir "$FLEET" --hosts 4 --net 127.0.10
if [ $keep -eq 0 ]; then trap 'Scripts/fleet.sh down --dir "$FLEET"' EXIT; fi

status=0
.build/debug/lostmail respond --inventory Inventory/demo.yml --playbook Playbooks/corpus-incident.yml \
    --state-dir "$STATE" --json "$STATE/last-report.json" || status=$?

echo
echo "== host1: ~web1/logs/lost-mails.log (written by LostMail as web1) =="
ls -l "$FLEET/h1/home/web1/logs/lost-mails.log"
cat "$FLEET/h1/home/web1/logs/lost-mails.log"
echo
echo "== journal =="
.build/debug/lostmail status --state-dir "$STATE"
exit $status

#!/bin/sh
# A dynamic inventory: prints the CMDB export (with _meta) for --list.
case "$1" in
  --list) cat "$(dirname "$0")/data/cmdb.json" ;;
  --host) echo '{}' ;;
  *) echo "usage: $0 --list | --host NAME" >&2; exit 2 ;;
esac

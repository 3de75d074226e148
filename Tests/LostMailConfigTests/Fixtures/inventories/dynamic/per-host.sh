#!/bin/sh
# A dynamic inventory without _meta: host vars come from --host NAME.
case "$1" in
  --list) echo '{"pop": {"hosts": ["pop1", "pop2"], "vars": {"ansible_port": 2110}}}' ;;
  --host)
    case "$2" in
      pop1) echo '{"ansible_host": "127.0.0.41"}' ;;
      *) echo '{}' ;;
    esac ;;
  *) exit 2 ;;
esac

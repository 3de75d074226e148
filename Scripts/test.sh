#!/usr/bin/env bash
# The whole test suite: installs what is needed, builds with warnings as errors, runs every test.
# Integration tests start (and stop, by pid) their own sshd hosts and SMTP servers on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"

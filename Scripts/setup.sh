#!/usr/bin/env bash
# Installs every Debian package LostMail needs to build, test and run its demo fleet.
# Run as root on Debian 12. Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  libssh2-1-dev          # the SSH layer (CLibSSH2)
  zlib1g-dev libbz2-dev liblzma-dev libzstd-dev   # compressed log archives and pulls (CCompression)
  libsqlite3-dev         # the run journal (GRDB)
  openssh-server openssh-client       # the test and demo fleet (real sshd hosts), scp for benchmarks
  python3-aiosmtpd swaks # the real SMTP server the notification tests talk to
  openssl                # self-signed certificates for the STARTTLS tests
  gzip bzip2 xz-utils zstd   # real compressed archives in tests; compressed pulls on the test hosts
  util-linux passwd procps iproute2   # setpriv/unshare, useradd, process lookups, ss
  sqlite3                # tests read the journal from outside, as an operator would
  python3-venv           # the venv holding ansible-core, the inventory oracle
  chromium               # renders the incident report (report.html) in the tests and for docs/
  sudo                   # the test fleet's non-root logins (ansible_become)
  time                   # a child's own peak RSS (/usr/bin/time): the memory test and the benches
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# promtool (Debian's prometheus, without its recommends): the oracle that checks the text format
# `lostmail audit --metrics` writes. Its server is not started (nor needed).
if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: promtool missing (package prometheus; run as root to install it)" >&2
    exit 1
  fi
  echo "setup: installing prometheus (for promtool)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
echo "setup: all packages present"

# ansible-core from PyPI: the oracle the inventory tests compare LostMail with.
ansible_venv=/opt/lostmail-test-venv
ansible_version=2.17.7
installed=$("$ansible_venv/bin/ansible-inventory" --version 2>/dev/null || true)
if [[ "$installed" != *"core $ansible_version]"* ]]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: ansible-core $ansible_version missing in $ansible_venv (run as root to install it)" >&2
    exit 1
  fi
  echo "setup: installing ansible-core $ansible_version into $ansible_venv"
  /usr/bin/python3 -m venv "$ansible_venv"
  "$ansible_venv/bin/pip" install -q "ansible-core==$ansible_version"
fi
echo "setup: ansible-core $ansible_version present"

# Ansible's own integration-test inventories (in the ansible-core sdist from PyPI, not in the
# wheel): real inventories nobody here wrote, read by LostMail and by ansible-inventory side by side.
ansible_targets="$ansible_venv/ansible-core-$ansible_version-targets"
if [ ! -d "$ansible_targets/targets" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: $ansible_targets missing (run as root to fetch ansible-core's sdist)" >&2
    exit 1
  fi
  echo "setup: fetching ansible-core $ansible_version's sdist for its test inventories"
  sdist=$(mktemp -d)
  "$ansible_venv/bin/pip" download -q --no-deps --no-binary :all: -d "$sdist" "ansible-core==$ansible_version"
  mkdir -p "$ansible_targets.tmp"
  tar xzf "$sdist"/ansible_core-"$ansible_version".tar.gz -C "$ansible_targets.tmp" --strip-components=3 \
    "ansible_core-$ansible_version/test/integration/targets"
  rm -rf "$sdist" "$ansible_targets"
  mv "$ansible_targets.tmp" "$ansible_targets"
fi
echo "setup: Ansible's test inventories present in $ansible_targets"

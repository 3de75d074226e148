#!/usr/bin/env bash
# Installs every Debian package LostMail needs to build, test and run its demo fleet.
# Run as root on Debian 12. Idempotent: installs only what is missing.
set -euo pipefail

packages=(
  libssh2-1-dev          # the SSH layer (CLibSSH2)
  zlib1g-dev libbz2-dev liblzma-dev   # compressed log archives (CCompression)
  libsqlite3-dev         # the run journal (GRDB)
  openssh-server openssh-client       # the test and demo fleet (real sshd hosts), scp for benchmarks
  python3-aiosmtpd swaks # the real SMTP server the notification tests talk to
  openssl                # self-signed certificates for the STARTTLS tests
  gzip bzip2 xz-utils    # making real compressed archives in tests
  util-linux passwd procps iproute2   # setpriv/unshare, useradd, process lookups, ss
  sqlite3                # tests read the journal from outside, as an operator would
  python3-venv           # the venv holding ansible-core, the inventory oracle
  sudo                   # the test fleet's non-root logins (ansible_become)
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

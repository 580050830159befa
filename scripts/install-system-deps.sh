#!/usr/bin/env bash
# System packages the test suite needs on a fresh Debian machine (run as root):
#   chromium      real-browser tests (ws browser client, chat web client) via playwright-core
#   redis-server  the registry's Redis backend tests (the tests start and stop their own server)
#   openssl       TLS certificates generated at test time
#   python3-rpyc  Python RPyC 5.3 for the @rpyc/python interop tests (run with /usr/bin/python3)
#   libfuse-dev fuse3  rpycfs: headers for the @cocalc/fuse-native build (libfuse2), fusermount
#   sshfs openssh-server  the rpycfs benchmark against sshfs over loopback
# Already-installed packages are skipped, so a warm machine pays nothing.
set -euo pipefail
wanted=(chromium redis-server openssl python3-rpyc libfuse-dev fuse3 sshfs openssh-server)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts redis-server as a service on install; the tests run their own instances.
if command -v systemctl >/dev/null 2>&1; then systemctl stop redis-server >/dev/null 2>&1 || true; fi

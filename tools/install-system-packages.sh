#!/usr/bin/env bash
# The Debian packages of the root-only suites: podman and runc (pnpm test:image), mmdebstrap
# (pnpm test:runtimes) and chromium (the debug console's browser test). Those suites install what
# is missing themselves too; CI runs this first, so a fresh machine installs them once, up front,
# rather than in the middle of timed tests. Without root it does nothing (those suites skip).
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "install-system-packages: not root, nothing installed (the suites that need these skip)"
  exit 0
fi
missing=()
for pkg in podman runc mmdebstrap chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" = 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt=(-o APT::Install-Recommends=false -o DPkg::Lock::Timeout=120)
apt-get "${apt[@]}" update
# One line per package, so each one is plain to see (and to grep for).
for pkg in "${missing[@]}"; do
  case "$pkg" in
    podman) apt-get install -y podman "${apt[@]}" ;;
    runc) apt-get install -y runc "${apt[@]}" ;;
    mmdebstrap) apt-get install -y mmdebstrap "${apt[@]}" ;;
    chromium) apt-get install -y chromium "${apt[@]}" ;;
  esac
done

#!/usr/bin/env bash
# A bare Debian bookworm server root for the systemd-in-Podman install test: systemd as init, dbus,
# iproute2 and busybox (udhcpc: a DHCP client on walt-net), nothing of what walt-server-setup
# installs (it installs that itself, inside). The test copies this host's apt sources in.
# dpkg does not fsync (force-unsafe-io): a throw-away test root, where setup installs ~110 packages.
# podman-auto-update is masked: podman inside this unprivileged container has no usable storage
# (overlay on overlay), so the unit that podman's postinst starts would only fail, after 90 s.
#   build.sh OUTPUT.tar
set -euo pipefail
out=${1:?usage: build.sh OUTPUT.tar}
command -v mmdebstrap >/dev/null || { echo "build.sh: mmdebstrap is needed (apt-get install mmdebstrap)" >&2; exit 1; }
packages=(systemd systemd-sysv dbus iproute2 busybox procps debian-archive-keyring)
mmdebstrap --variant=minbase --mode=root --format=tar \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer systemd-timesyncd.service getty@tty1.service console-getty.service podman-auto-update.timer podman-auto-update.service >/dev/null 2>&1 || true' \
  --customize-hook='echo force-unsafe-io > "$1"/etc/dpkg/dpkg.cfg.d/walt-test-unsafe-io' \
  --customize-hook='rm -f "$1"/etc/hostname "$1"/var/cache/apt/*.bin "$1"/etc/apt/sources.list; rm -rf "$1"/var/lib/apt/lists/*' \
  bookworm "$out"

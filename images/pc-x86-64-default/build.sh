#!/usr/bin/env bash
# Build the WalT pc-x86-64 default node image's root filesystem from Debian bookworm packages into a
# tar file (root needed: mmdebstrap's root mode runs the kernel's initramfs hooks for real).
#   images/pc-x86-64-default/build.sh OUTPUT.tar [MIRROR]
# publish.sh turns the tar into an OCI image with the WalT labels.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT.tar [MIRROR]}
mirror=${2:-http://deb.debian.org/debian}
command -v mmdebstrap >/dev/null || { echo "build.sh: mmdebstrap is needed (apt-get install mmdebstrap)" >&2; exit 1; }
packages=(
  systemd-sysv              # the image's own init, started last by walt-init
  linux-image-amd64         # the node's kernel, with initramfs-tools (klibc nfsmount, ipconfig)
  initramfs-tools
  openssh-server            # walt node shell / ssh with the server's key
  busybox                   # walt-init, nc for the notification and logs, the net service
  zstd                      # COMPRESS=zstd: a compact initrd that unpacks fast
  iproute2 netbase kmod procps
)
# Units a netbooted node does not need: each costs seconds of a boot over NFS (and minutes under
# qemu TCG). The root is NFS plus a tmpfs overlay (no fsck, trim, e2scrub, remount); the network is
# up before init (no wait-online); the console getty is the serial one (no tty1-6).
masked_units='apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer
  dpkg-db-backup.timer systemd-networkd-wait-online.service systemd-timesyncd.service systemd-remount-fs.service
  systemd-pstore.service getty-static.service getty@tty1.service modprobe@dm_mod.service modprobe@efi_pstore.service
  modprobe@fuse.service modprobe@loop.service modprobe@drm.service systemd-update-utmp.service systemd-update-utmp-runlevel.service'
# Generators systemd runs at each start for disks, encryption, hibernation and SysV scripts that a
# netbooted node has not got (the fstab and getty generators stay: the serial console needs the latter).
masked_generators='systemd-gpt-auto-generator systemd-cryptsetup-generator systemd-integritysetup-generator
  systemd-veritysetup-generator systemd-hibernate-resume-generator systemd-bless-boot-generator
  systemd-sysv-generator systemd-rc-local-generator systemd-system-update-generator systemd-debug-generator'
# /etc and /var are up to date with /usr (systemd's ConditionNeedsUpdate): without the stamps,
# systemd-sysusers, ldconfig, hwdb and catalog updates ran at every boot (the root is a fresh overlay).
# A user's image that changes /usr later runs them again at its boots, as systemd intends.
stamp_updated='for d in /etc /var; do printf "TIMESTAMP_NSEC=%s\\n" $(stat -c %.9Y /usr | tr -d .) >$d/.updated; touch -r /usr $d/.updated; done'
export masked_units masked_generators stamp_updated
mmdebstrap --variant=minbase --mode=root --format=tar \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --customize-hook="tar -C '$here/overlay' -c . | tar -C \"\$1\" -x --no-same-owner" \
  --customize-hook='chroot "$1" sh -c "update-initramfs -u -k all && for v in \$(ls /lib/modules); do /etc/kernel/postinst.d/zz-walt-boot-files \$v; done"' \
  --customize-hook='chroot "$1" sh -c "systemctl mask $(echo $masked_units) >/dev/null 2>&1 || true; systemctl set-default multi-user.target"' \
  --customize-hook='mkdir -p "$1"/etc/systemd/system-generators; for g in $(echo $masked_generators); do ln -sf /dev/null "$1"/etc/systemd/system-generators/$g; done' \
  --customize-hook='chroot "$1" sh -c "$stamp_updated"' \
  --customize-hook='rm -f "$1"/etc/hostname "$1"/var/cache/apt/*.bin; rm -rf "$1"/var/lib/apt/lists/*' \
  bookworm "$out" "$mirror"

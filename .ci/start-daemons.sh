#!/usr/bin/env bash
# Starts the daemons the integration tests need (CI machines have no init system). Each section is
# idempotent, runs its daemons in the background, and waits a bounded time for them to answer.
# Sections export what tests need to find them into /tmp/walt-ci-env (sourced-style KEY=VALUE lines).
set -u
: > /tmp/walt-ci-env

# ---- images (podman service behind dockerode + a local registry) -------------------------------
# Isolated podman storage under /var/tmp/walt-ci-podman (nothing under /var/lib/containers); the
# settings this machine needs: runc, nofile ulimit 20000, cgroupfs, file events logger.
# Exports WALT_TEST_PODMAN_SOCKET, WALT_TEST_PODMAN_ARGS (CLI flags for the same storage),
# WALT_TEST_REGISTRY (host:port), CONTAINERS_CONF and CONTAINERS_REGISTRIES_CONF to /tmp/walt-ci-env.
images_section() {
  local W=/var/tmp/walt-ci-podman
  local REG=127.0.0.1:15000
  command -v podman >/dev/null || { echo "images: podman is not installed"; return 1; }
  mkdir -p $W/root $W/run $W/tmp $W/registry/data
  cat > $W/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  cat > $W/registries.conf <<CONF
unqualified-search-registries = []
[[registry]]
location = "$REG"
insecure = true
CONF
  cat > $W/registry/config.yml <<CONF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $W/registry/data
  delete:
    enabled: true
http:
  addr: $REG
CONF
  local ARGS="--root $W/root --runroot $W/run --tmpdir $W/tmp --storage-driver overlay --cgroup-manager cgroupfs --events-backend file"
  if ! curl -sf --max-time 2 --unix-socket $W/podman.sock http://d/_ping >/dev/null 2>&1; then
    rm -f $W/podman.sock
    # shellcheck disable=SC2086
    CONTAINERS_CONF=$W/containers.conf CONTAINERS_REGISTRIES_CONF=$W/registries.conf \
      setsid nohup podman $ARGS system service --time=0 unix://$W/podman.sock >$W/podman-service.log 2>&1 </dev/null &
  fi
  if ! curl -sf --max-time 2 http://$REG/v2/ >/dev/null 2>&1; then
    setsid nohup docker-registry serve $W/registry/config.yml >$W/registry.log 2>&1 </dev/null &
  fi
  local ok=""
  for _ in $(seq 1 60); do
    if curl -sf --max-time 2 --unix-socket $W/podman.sock http://d/_ping >/dev/null 2>&1 && curl -sf --max-time 2 http://$REG/v2/ >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.5
  done
  [ -n "$ok" ] || { echo "images: podman service or registry did not answer in 30 s (see $W/*.log)"; return 1; }
  {
    echo "WALT_TEST_PODMAN_SOCKET=$W/podman.sock"
    echo "WALT_TEST_PODMAN_ARGS=$ARGS"
    echo "WALT_TEST_REGISTRY=$REG"
    echo "CONTAINERS_CONF=$W/containers.conf"
    echo "CONTAINERS_REGISTRIES_CONF=$W/registries.conf"
  } >> /tmp/walt-ci-env
  echo "images: podman service on $W/podman.sock, registry on $REG"
}
images_section || echo "warning: images section failed"
# ---- end of images -----------------------------------------------------------------------------

# ---- node image (the real pc-x86-64 image the qemu boot test boots; cached per machine) --------
bash "$(dirname "$0")/node-image.sh" || echo "warning: node image section failed"

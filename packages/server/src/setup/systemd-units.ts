/**
 * The systemd unit walt-server-setup installs. The server starts once the network is up (walt-net
 * and walt-adm sit on real interfaces), after the Podman API socket it talks to, and is restarted
 * if it fails. Its stdout goes to the journal, where platform lines carry priorities (journal-echo).
 */
export const WALT_SERVER_UNIT = 'walt-server.service';
/** Shipped by Debian's podman package; the server uses its socket, /run/podman/podman.sock. */
export const PODMAN_SOCKET_UNIT = 'podman.socket';

export function waltServerUnitText(options: { node: string; waltServerBin: string; configFile: string }): string {
  return `# Installed by walt-server-setup; walt-server-setup --uninstall removes it.
[Unit]
Description=WalT server (network-boot testbed)
Documentation=https://walt-project.liglab.fr
Wants=network-online.target ${PODMAN_SOCKET_UNIT}
After=network-online.target ${PODMAN_SOCKET_UNIT}

[Service]
Type=exec
ExecStart=${options.node} ${options.waltServerBin} start --config ${options.configFile}
Restart=on-failure
RestartSec=5
KillMode=mixed
TimeoutStopSec=30

[Install]
WantedBy=multi-user.target
`;
}

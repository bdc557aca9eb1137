import { DEFAULT_WALT_NET } from './network-schema.js';

/**
 * The config `walt-server-setup --edit-conf` starts from when there is no file yet: the embedded
 * defaults written out (a virtual-only walt-net), with the optional keys shown as comments.
 */
export function defaultConfigText(): string {
  return `# WalT server configuration file.
# Run 'walt-server-setup --edit-conf' to update; 'walt help show server-network-config' explains every key.

# network configuration
# ---------------------
network:
    # platform network
    walt-net:
        raw-device: null        # the interface of walt-net (e.g. eth1); null: virtual-only platform
        ip: ${DEFAULT_WALT_NET.ip}     # server address and prefix on walt-net
    # optional: switches admin network
    # walt-adm:
    #     raw-device: eth2
    #     ip: dhcp              # or a static address, e.g. 10.10.52.23/27

# image registries
# ----------------
registries:
    - label: hub
      api: docker-hub
      description: Public registry at hub.docker.com

# server of this TypeScript edition (defaults shown)
# ----------------------------------
# data-dir: /var/lib/walt
# api: {host: 127.0.0.1, port: 12345, listen: []}   (listen: networks users reach the API on, e.g. [walt-out])
# plugins: []
`;
}

/** The validated server configuration (keys as in /etc/walt/server.conf, plus the TS server's own). */

export interface NetworkConfig {
  /** Physical interface; null for a virtual-only walt-net. */
  rawDevice: string | null;
  vlan?: number;
  /** Server address and prefix, e.g. 192.168.152.1/24; 'dhcp' is allowed on networks other than walt-net. */
  ip: string;
}

export interface RegistryConfig {
  label: string;
  api: 'docker-hub' | 'docker-registry-v2' | 'jfrog-artifactory';
  description?: string;
  /** host, port, protocol (default https) and auth (default none) are set for every api but docker-hub. */
  host?: string;
  port?: number;
  protocol?: 'https' | 'http' | 'https-no-verify';
  auth?: 'basic' | 'none';
  repository?: string;
}

export interface ServiceConfig {
  /** The systemd unit that runs this service, e.g. nfs-kernel-server.service (external services). */
  'service-name'?: string;
  /** Settings of the services this server runs itself (services.tftp, services.nfs). */
  [setting: string]: unknown;
}

export interface VpnConfig {
  enabled: boolean;
  'ssh-entrypoint'?: string;
  'http-entrypoint'?: string;
  'boot-mode'?: 'permissive' | 'enforced';
}

export interface PluginEntry {
  /** npm package name, or a path to a plugin package folder. */
  name: string;
  settings: Record<string, unknown>;
  enabled: boolean;
  /**
   * Run this third-party plugin inside the server's process (key in-process), as built-ins are: the
   * admin trusts it. Needed for boot protocols, whose hooks answer DHCP and TFTP synchronously.
   */
  inProcess: boolean;
}

export interface ServerConfig {
  /** Where the config came from ('embedded defaults' when none). */
  source: string;
  network: {
    waltNet: NetworkConfig;
    waltAdm?: NetworkConfig;
    /** Other named networks (walt-out...), not managed by WalT. */
    unmanaged: Record<string, NetworkConfig>;
  };
  dataDir: string;
  /** HTTP API; `tcpPort`: the TCP side channel for node logs (default 12347, or a free one when port is 0). */
  /**
   * `host` (loopback by default) and the networks or addresses of `listen` (walt-out...) are where
   * users reach the API; walt-net only if listed (nodes never need it).
   */
  api: { host: string; port: number; tcpPort?: number; listen?: string[] };
  registries: RegistryConfig[];
  plugins: PluginEntry[];
  /**
   * Where images come from: a Docker or Podman socket (Podman's by default), or a folder of unpacked
   * images (offline labs, tests).
   */
  images: {
    engineSocket: string | null;
    directory: string | null;
    /** Seconds an unused image view stays mounted (key images.view-grace; default 60, as the original). */
    viewGraceSeconds?: number;
    /** Largest archive `walt image cp` may send into an image, MiB (default 4096). */
    maxArchiveMiB?: number;
  };
  /** Per-plugin load timeout in ms. */
  pluginTimeoutMs: number;
  /** Limit of one call into a third-party plugin's process (config key plugin-call-timeout). */
  pluginCallTimeoutMs: number;
  /** Log storage: the stored lines one node may keep (key logs.node-quota-mib; older lines are dropped). */
  logs: { nodeQuotaMiB: number };
  /** Services and vpn sections of the original (validated; defaults filled in). */
  services: Record<string, ServiceConfig>;
  vpn: VpnConfig;
}

import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { checkConfigText, defaultConfigText } from './load-config.js';

const FILE = '/etc/walt/server.conf';
const check = (text: string) => checkConfigText(text, FILE, '/var/lib/walt-test');

/** Each example of the original's server-network-config page and of its server.conf reference. */
const VALID: Array<[name: string, text: string]> = [
  [
    'scenario 0: virtual-only platform',
    `network:
    # platform network
    walt-net:
        raw-device: null
        ip: 192.168.183.1/24
`,
  ],
  [
    'scenario 1: very simple setup',
    `network:
    # platform network
    walt-net:
        raw-device: eth1
        ip: 192.168.183.1/24
`,
  ],
  [
    'scenario 2: reusing a building network (walt-adm static)',
    `network:
    # platform network
    walt-net:
        raw-device: eth1
        ip: 192.168.180.1/22
    # building network admin
    walt-adm:
        raw-device: eth2
        ip: 10.10.52.23/27
`,
  ],
  [
    'scenario 2 with walt-adm on dhcp',
    `network:
    walt-net:
        raw-device: eth1
        ip: 192.168.180.1/22
    walt-adm:
        raw-device: eth2
        ip: dhcp
`,
  ],
  [
    'scenario 3a: wireless interface for walt-out',
    `network:
    walt-net:
        raw-device: eth0
        ip: 192.168.183.1/24
`,
  ],
  [
    'scenario 3b: VLANs',
    `network:
    # platform network
    walt-net:
        raw-device: eth0
        vlan: 33
        ip: 192.168.180.1/22
`,
  ],
  [
    'reference 9.1: walt-net with vlan, walt-adm, walt-out unmanaged with vlan, registries, services, vpn',
    `# fast-load: 3f1a9c0e5bAAAAAAAA==
network:
    walt-net:                 # MANDATORY ("platform network")
        raw-device: eth1
        vlan: 33
        ip: 192.168.183.1/24
    walt-adm:                 # optional ("switches admin network")
        raw-device: eth2
        ip: 10.10.52.23/27
    walt-out:                 # any other name = "unmanaged network"
        raw-device: eth0
        vlan: 34
        ip: dhcp
registries:
    - {label: hub, api: docker-hub, description: "Public registry at hub.docker.com"}
    - {label: lab, api: docker-registry-v2, description: "Lab registry", host: registry.lab.example,
       port: 443, protocol: https, auth: basic}
    - {label: insecure, api: docker-registry-v2, host: 10.0.0.5, port: 5000, protocol: http, auth: none}
    - {label: selfsigned, api: docker-registry-v2, host: 10.0.0.6, port: 5000, protocol: https-no-verify}
    - {label: jf, api: jfrog-artifactory, description: "Artifactory", host: jfrog.example, port: 443,
       protocol: https, auth: basic, repository: walt-images}
services:
    nfsd: {service-name: nfs-kernel-server.service}
vpn:
    enabled: false
`,
  ],
  [
    'vpn enabled with both entrypoints and a boot mode',
    `network:
    walt-net: {raw-device: eth1, ip: 192.168.183.1/24}
vpn:
    enabled: true
    ssh-entrypoint: vpn.example.org
    http-entrypoint: vpn.example.org:8080
    boot-mode: enforced
`,
  ],
  [
    'JSON with # comments (the original accepts it for backward compatibility)',
    `{
    # network configuration
    "network": {
        # platform network
        "walt-net": {
            "raw-device": "eth1",   # the walt-net interface
            "ip": "192.168.183.1/24"
        }
    },
    "registries": [ { "label": "hub", "api": "docker-hub", "description": "Public registry at hub.docker.com" } ]
}
`,
  ],
  ['plain JSON with tabs', `{\n\t"network": {\n\t\t"walt-net": {"raw-device": null, "ip": "192.168.152.1/24"}\n\t}\n}\n`],
  [
    "this server's own keys",
    `network: {walt-net: {raw-device: null, ip: 192.168.152.1/24}}
data-dir: /srv/walt
api: {host: 0.0.0.0, port: 0, tcp-port: 0}
plugins:
    - walt-plugin-foo
    - {name: "@acme/walt-plugin-bar", settings: {speed: 3}, enabled: false}
images: {engine-socket: /run/podman/podman.sock, directory: null}
plugin-timeout: 2000
`,
  ],
  ['legacy registry https-verify', `network: {walt-net: {ip: 192.168.152.1/24}}\nregistries: [{label: old, api: docker-registry-v2, host: h.example, port: 5000, https-verify: false}]\n`],
  ['own services: tftp and nfs settings', `network: {walt-net: {raw-device: eth1, ip: 192.168.152.1/24}}\nservices:\n  tftp: {port: 6969, max-blksize: 8192, max-windowsize: 64, engine: threads, workers: 2, busy-poll-us: 0}\n  nfs: {server: ganesha, ganesha-exports-file: /etc/ganesha/walt.conf}\n`],
];

/** Malformed variants: [name, text, key the one-line message must name]. */
const INVALID: Array<[name: string, text: string, key: string]> = [
  ['empty file', '', '(top level)'],
  ['a list at top level', '- network\n', '(top level)'],
  ['not YAML', 'network: {walt-net: [\n', 'not valid YAML or JSON'],
  ['JSON with a missing comma', '{"network": {"walt-net": {"raw-device": null "ip": "192.168.1.1/24"}}}', 'not valid YAML or JSON'],
  ['duplicate key', 'network:\n  walt-net: {ip: 192.168.1.1/24}\nnetwork: {}\n', 'not valid YAML or JSON'],
  ['no network section', 'api: {port: 0}\n', 'network:'],
  ['network is a string', 'network: eth1\n', 'network:'],
  ['no walt-net', 'network:\n  walt-adm: {raw-device: eth2, ip: dhcp}\n', 'network.walt-net:'],
  ['walt-net without ip', 'network:\n  walt-net: {raw-device: eth1}\n', 'network.walt-net.ip:'],
  ['walt-net on dhcp', 'network:\n  walt-net: {raw-device: eth1, ip: dhcp}\n', 'network.walt-net.ip:'],
  ['walt-net ip without prefix', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1}\n', 'network.walt-net.ip:'],
  ['walt-net ip not an address', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.300/24}\n', 'network.walt-net.ip:'],
  ['walt-net /32', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/32}\n', 'network.walt-net.ip:'],
  ['walt-net /31', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/31}\n', 'network.walt-net.ip:'],
  ['walt-net on the network address', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.0/24}\n', 'network.walt-net.ip:'],
  ['walt-net on the broadcast address', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.255/24}\n', 'network.walt-net.ip:'],
  ['raw-device a number', 'network:\n  walt-net: {raw-device: 1, ip: 192.168.1.1/24}\n', 'network.walt-net.raw-device:'],
  ['raw-device too long', 'network:\n  walt-net: {raw-device: averyveryverylongname, ip: 192.168.1.1/24}\n', 'network.walt-net.raw-device:'],
  ['raw-device with a space', 'network:\n  walt-net: {raw-device: "eth 1", ip: 192.168.1.1/24}\n', 'network.walt-net.raw-device:'],
  ['unknown key in walt-net', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24, mtu: 9000}\n', 'network.walt-net.mtu:'],
  ['misspelled raw-device', 'network:\n  walt-net: {rawdevice: eth1, ip: 192.168.1.1/24}\n', 'network.walt-net.rawdevice:'],
  ['vlan without raw-device', 'network:\n  walt-net: {raw-device: null, vlan: 33, ip: 192.168.1.1/24}\n', 'network.walt-net.vlan:'],
  ['vlan 0', 'network:\n  walt-net: {raw-device: eth0, vlan: 0, ip: 192.168.1.1/24}\n', 'network.walt-net.vlan:'],
  ['vlan 4095', 'network:\n  walt-net: {raw-device: eth0, vlan: 4095, ip: 192.168.1.1/24}\n', 'network.walt-net.vlan:'],
  ['vlan a string', 'network:\n  walt-net: {raw-device: eth0, vlan: "33a", ip: 192.168.1.1/24}\n', 'network.walt-net.vlan:'],
  ['walt-adm without raw-device', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-adm: {ip: dhcp}\n', 'network.walt-adm.raw-device:'],
  ['walt-adm without ip', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-adm: {raw-device: eth2}\n', 'network.walt-adm.ip:'],
  ['walt-adm /32', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-adm: {raw-device: eth2, ip: 10.0.0.2/32}\n', 'network.walt-adm.ip:'],
  ['walt-adm ip "static"', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-adm: {raw-device: eth2, ip: static}\n', 'network.walt-adm.ip:'],
  ['walt-out is not a mapping', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-out: eth0\n', 'network.walt-out:'],
  ['walt-out vlan out of range', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-out: {raw-device: eth0, vlan: 5000, ip: dhcp}\n', 'network.walt-out.vlan:'],
  ['two networks on one interface', 'network:\n  walt-net: {raw-device: eth1, ip: 192.168.1.1/24}\n  walt-adm: {raw-device: eth1, ip: dhcp}\n', 'network.walt-adm.raw-device:'],
  ['two networks on one vlan', 'network:\n  walt-net: {raw-device: eth0, vlan: 33, ip: 192.168.1.1/24}\n  walt-out: {raw-device: eth0, vlan: 33, ip: dhcp}\n', 'network.walt-out.raw-device:'],
  ['an interface both plain and tagged', 'network:\n  walt-net: {raw-device: eth0, vlan: 33, ip: 192.168.1.1/24}\n  walt-out: {raw-device: eth0, ip: dhcp}\n', 'network.walt-out.vlan:'],
  ['unknown top-level key', 'network: {walt-net: {ip: 192.168.1.1/24}}\nnetwrok: {}\n', 'netwrok:'],
  ['registries not a list', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: {label: hub}\n', 'registries:'],
  ['registries empty', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: []\n', 'registries:'],
  ['registry api unknown', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: x, api: quay}]\n', 'registries[0].api:'],
  ['registry without api', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: x}]\n', 'registries[0].api:'],
  ['hub with another label', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: dockerhub, api: docker-hub}]\n', 'registries[0].label:'],
  ['registry label with capitals', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: Lab, api: docker-registry-v2, host: h, port: 5000}]\n', 'registries[0].label:'],
  ['registry label reserved', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: walt, api: docker-registry-v2, host: h, port: 5000}]\n', 'registries[0].label:'],
  ['registry without host', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: lab, api: docker-registry-v2, port: 5000}]\n', 'registries[0].host:'],
  ['registry without port', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: lab, api: docker-registry-v2, host: h}]\n', 'registries[0].port:'],
  ['registry port 70000', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: lab, api: docker-registry-v2, host: h, port: 70000}]\n', 'registries[0].port:'],
  ['registry protocol ftp', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: lab, api: docker-registry-v2, host: h, port: 1, protocol: ftp}]\n', 'registries[0].protocol:'],
  ['registry auth token', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: lab, api: docker-registry-v2, host: h, port: 1, auth: token}]\n', 'registries[0].auth:'],
  ['jfrog without repository', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: jf, api: jfrog-artifactory, host: h, port: 443}]\n', 'registries[0].repository:'],
  ['repository on a v2 registry', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: lab, api: docker-registry-v2, host: h, port: 1, repository: r}]\n', 'registries[0].repository:'],
  ['host on the hub', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: hub, api: docker-hub, host: docker.io}]\n', 'registries[0].host:'],
  ['duplicate registry label', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: a, api: docker-registry-v2, host: h, port: 1}, {label: a, api: docker-registry-v2, host: g, port: 1}]\n', 'registries[1].label:'],
  ['duplicate registry location', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: a, api: docker-registry-v2, host: h, port: 1}, {label: b, api: docker-registry-v2, host: h, port: 1}]\n', 'registries[1].host:'],
  ['unknown registry key', 'network: {walt-net: {ip: 192.168.1.1/24}}\nregistries: [{label: hub, api: docker-hub, user: me}]\n', 'registries[0].user:'],
  ['services not a mapping', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: [nfsd]\n', 'services:'],
  ['service without service-name', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {nfsd: {}}\n', 'services.nfsd.service-name:'],
  ['tftp port out of range', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {tftp: {port: 0}}\n', 'services.tftp.port:'],
  ['tftp unknown key', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {tftp: {colour: red}}\n', 'services.tftp.colour:'],
  ['tftp unknown engine', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {tftp: {engine: turbo}}\n', 'services.tftp.engine: must be native or threads'],
  ['tftp busy-poll too long', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {tftp: {busy-poll-us: 5000}}\n', 'services.tftp.busy-poll-us: must be a whole number from 0 to 1000'],
  ['nfs server kind unknown', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {nfs: {server: samba}}\n', 'services.nfs.server:'],
  ['service-name not a unit', 'network: {walt-net: {ip: 192.168.1.1/24}}\nservices: {nfsd: {service-name: nfs}}\n', 'services.nfsd.service-name:'],
  ['vpn not a mapping', 'network: {walt-net: {ip: 192.168.1.1/24}}\nvpn: yes\n', 'vpn:'],
  ['vpn enabled not a boolean', 'network: {walt-net: {ip: 192.168.1.1/24}}\nvpn: {enabled: "sometimes"}\n', 'vpn.enabled:'],
  ['vpn enabled without entrypoints', 'network: {walt-net: {ip: 192.168.1.1/24}}\nvpn: {enabled: true, boot-mode: enforced}\n', 'vpn.ssh-entrypoint:'],
  ['vpn enabled without boot-mode', 'network: {walt-net: {ip: 192.168.1.1/24}}\nvpn: {enabled: true, ssh-entrypoint: a, http-entrypoint: b}\n', 'vpn.boot-mode:'],
  ['vpn boot-mode strict', 'network: {walt-net: {ip: 192.168.1.1/24}}\nvpn: {enabled: true, ssh-entrypoint: a, http-entrypoint: b, boot-mode: strict}\n', 'vpn.boot-mode:'],
  ['data-dir relative', 'network: {walt-net: {ip: 192.168.1.1/24}}\ndata-dir: var/lib/walt\n', 'data-dir:'],
  ['plugin in-process not a boolean', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugins: [{name: walt-plugin-x, in-process: yes please}]\n', 'plugins[0].in-process:'],
  ['plugin-call-timeout too short', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugin-call-timeout: 5\n', 'plugin-call-timeout:'],
  ['logs node quota zero', 'network: {walt-net: {ip: 192.168.1.1/24}}\nlogs: {node-quota-mib: 0}\n', 'logs.node-quota-mib:'],
  ['logs unknown key', 'network: {walt-net: {ip: 192.168.1.1/24}}\nlogs: {quota: 5}\n', 'logs.quota:'],
  ['api host not an address', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {host: "my server"}\n', 'api.host:'],
  ['api port negative', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {port: -1}\n', 'api.port:'],
  ['api port a string', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {port: "12345"}\n', 'api.port:'],
  ['api tcp-port a string', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {tcp-port: "12347"}\n', 'api.tcp-port:'],
  ['api unknown key', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {address: 127.0.0.1}\n', 'api.address:'],
  ['api listen not a list', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {listen: walt-out}\n', 'api.listen:'],
  ['api listen not names', 'network: {walt-net: {ip: 192.168.1.1/24}}\napi: {listen: ["my net", 3]}\n', 'api.listen:'],
  ['plugins not a list', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugins: walt-plugin-foo\n', 'plugins:'],
  ['plugin entry without name', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugins: [{settings: {}}]\n', 'plugins[0].name:'],
  ['plugin settings a list', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugins: [{name: p, settings: [1]}]\n', 'plugins[0].settings:'],
  ['plugin listed twice', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugins: [p, {name: p}]\n', 'plugins[1]:'],
  ['images directory relative', 'network: {walt-net: {ip: 192.168.1.1/24}}\nimages: {directory: images}\n', 'images.directory:'],
  ['images unknown key', 'network: {walt-net: {ip: 192.168.1.1/24}}\nimages: {socket: /run/x.sock}\n', 'images.socket:'],
  ['plugin-timeout too small', 'network: {walt-net: {ip: 192.168.1.1/24}}\nplugin-timeout: 5\n', 'plugin-timeout:'],
];

describe('server config: valid texts load', () => {
  it.each(VALID)('%s', (_name, text) => {
    const config = check(text);
    expect(config.network.waltNet.ip).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(config.source).toBe(FILE);
  });

  it('keeps what the reference example says', () => {
    const config = check(VALID[6][1]);
    expect(config.network.waltNet).toEqual({ rawDevice: 'eth1', vlan: 33, ip: '192.168.183.1/24' });
    expect(config.network.waltAdm).toEqual({ rawDevice: 'eth2', ip: '10.10.52.23/27' });
    expect(config.network.unmanaged['walt-out']).toEqual({ rawDevice: 'eth0', vlan: 34, ip: 'dhcp' });
    expect(config.registries.map((r) => `${r.label}:${r.api}`)).toEqual([
      'hub:docker-hub',
      'lab:docker-registry-v2',
      'insecure:docker-registry-v2',
      'selfsigned:docker-registry-v2',
      'jf:jfrog-artifactory',
    ]);
    expect(config.registries[1]).toMatchObject({ host: 'registry.lab.example', port: 443, protocol: 'https', auth: 'basic' });
    expect(config.registries[4]).toMatchObject({ repository: 'walt-images' });
    expect(config.services).toEqual({ nfsd: { 'service-name': 'nfs-kernel-server.service' } });
    expect(config.vpn).toEqual({ enabled: false });
  });

  it('fills in the defaults', () => {
    const config = check('network:\n  walt-net:\n    ip: 192.168.152.1/24\n');
    expect(config.network.waltNet).toEqual({ rawDevice: null, ip: '192.168.152.1/24' });
    expect(config.network.waltAdm).toBeUndefined();
    expect(config.dataDir).toBe('/var/lib/walt-test');
    expect(config.api).toEqual({ host: '127.0.0.1', port: 12345 });
    expect(config.registries).toEqual([{ label: 'hub', api: 'docker-hub', description: 'Public registry at hub.docker.com' }]);
    expect(config.vpn).toEqual({ enabled: false });
    expect(config.pluginTimeoutMs).toBe(10000);
    expect(config.plugins).toEqual([]);
  });

  it("maps the legacy https-verify: false to protocol https-no-verify", () => {
    expect(check(VALID[11][1]).registries[0]).toMatchObject({ protocol: 'https-no-verify', auth: 'none' });
  });

  it('reads the plugin entries and this server\'s keys', () => {
    const config = check(VALID[10][1]);
    expect(config.plugins).toEqual([
      { name: 'walt-plugin-foo', settings: {}, enabled: true, inProcess: false },
      { name: '@acme/walt-plugin-bar', settings: { speed: 3 }, enabled: false, inProcess: false },
    ]);
    expect(config).toMatchObject({ dataDir: '/srv/walt', api: { host: '0.0.0.0', port: 0, tcpPort: 0 }, pluginTimeoutMs: 2000, pluginCallTimeoutMs: 30_000, logs: { nodeQuotaMiB: 512 } });
    expect(check('network: {walt-net: {ip: 192.168.1.1/24}}\nplugins: [{name: walt-plugin-x, in-process: true}]\nlogs: {node-quota-mib: 64}\nplugin-call-timeout: 500\n')).toMatchObject({
      plugins: [{ name: 'walt-plugin-x', inProcess: true }],
      logs: { nodeQuotaMiB: 64 },
      pluginCallTimeoutMs: 500,
    });
    expect(config.images).toEqual({ engineSocket: '/run/podman/podman.sock', directory: null });
  });

  it('the default text of walt-server-setup --edit-conf is valid and is a virtual-only platform', () => {
    const config = check(defaultConfigText());
    expect(config.network.waltNet).toEqual({ rawDevice: null, ip: '192.168.152.1/24' });
  });
});

describe('server config: malformed texts are refused, naming the key', () => {
  it.each(INVALID)('%s', (_name, text, key) => {
    let error: unknown;
    try {
      check(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(`Invalid configuration at '${FILE}'`);
    expect(message).toContain(key);
    expect(message.split('\n')).toHaveLength(1);
    expect((error as ConfigError).code).toBe('config-invalid');
  });

  it('reports every problem of a file at once', () => {
    try {
      check('network:\n  walt-net: {raw-device: 7, ip: dhcp}\napi: {port: -4}\n');
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['network.walt-net.raw-device', 'network.walt-net.ip', 'api.port']);
    }
  });
});

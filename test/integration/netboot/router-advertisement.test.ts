import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNetwork, inNetns, type TestNetwork } from '../../helpers/netns.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

/** One counter of the namespace's ICMPv6 statistics (/proc/net/snmp6 is per network namespace). */
function icmp6Counter(ns: string, name: string): number {
  const m = new RegExp(`^${name}\\s+(\\d+)$`, 'm').exec(inNetns(ns, 'cat', ['/proc/net/snmp6']));
  return m ? Number(m[1]) : 0;
}

async function until(what: string, cond: () => boolean, timeoutMs: number, context: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not reached\n${context()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * iPXE (PXE ROMs, undionly.kpxe) waits ~16 s at each boot for an IPv6 router advertisement before
 * it uses the DHCP answer; walt-server answers router solicitations on walt-net with "no IPv6
 * router here". The client is a Linux host in a namespace: its kernel solicits routers when its
 * link comes up, like any host, and its ICMPv6 counters and neighbour table show what came back.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'iptables'] }))('IPv6 router solicitations on walt-net (network namespaces)', () => {
  let net: TestNetwork;
  let server: ServerHandle;

  beforeAll(async () => {
    net = createTestNetwork({ tag: 'ndp', subnet: '192.168.171' });
    server = await startServer({
      netns: net.serverNs,
      config: `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\napi:\n  port: 0\n`,
    });
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    net?.destroy();
  });

  it('a host that solicits routers gets an advertisement: no default router, no address, the server as a neighbour', async () => {
    await server.waitForOutput(/platform\.ndp -> answering IPv6 router solicitations on \S+: no IPv6 router on walt-net/, 30_000);
    const client = net.addClient('52:54:00:17:10:01');
    // A host solicits (up to 3 times, 4 s apart) once its link-local address passed DAD.
    inNetns(client.ns, 'sysctl', ['-qw', `net.ipv6.conf.${client.ifname}.accept_ra=1`, `net.ipv6.conf.${client.ifname}.router_solicitations=3`]);
    const context = () => `snmp6 RA in: ${icmp6Counter(client.ns, 'Icmp6InRouterAdvertisements')}, RS out: ${icmp6Counter(client.ns, 'Icmp6OutRouterSolicits')}\n${platformLines(server.dataDir, 'platform.ndp').join('\n')}\n${server.output().slice(-2000)}`;
    await until('router advertisement received', () => icmp6Counter(client.ns, 'Icmp6InRouterAdvertisements') > 0, 20_000, context);
    expect(icmp6Counter(client.ns, 'Icmp6OutRouterSolicits')).toBeGreaterThan(0);
    // Router lifetime 0: not a default router. No prefix: no global address.
    expect(inNetns(client.ns, 'ip', ['-6', 'route', 'show', 'default'])).toBe('');
    expect(inNetns(client.ns, 'ip', ['-6', 'addr', 'show', 'dev', client.ifname, 'scope', 'global'])).toBe('');
    // The source link-layer option: the server's walt-net MAC, known as a router's.
    const serverMac = /link\/ether ([0-9a-f:]+)/.exec(inNetns(net.serverNs, 'ip', ['link', 'show', net.serverIf]))![1];
    expect(inNetns(client.ns, 'ip', ['-6', 'neigh', 'show', 'dev', client.ifname])).toMatch(new RegExp(`^fe80::\\S+ lladdr ${serverMac} router`, 'm'));
    await until('answer logged', () => platformLines(server.dataDir, 'platform.ndp').some((l) => / answered "no IPv6 router here"$/.test(l)), 10_000, context);
    expect(platformLines(server.dataDir, 'platform.ndp').find((l) => l.includes('answered'))).toMatch(/^router solicitation from fe80::\S+ on \S+: answered/);
  });
});

import { isSnmpError, type LldpNeighbor, type SwitchDriver } from '@walt/sdk';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import type { SwitchesRepository, TopologyLink } from '../store/switches-repository.js';
import { BridgeTopology, LinkTopology } from './link-topology.js';
import type { PoeControl } from './poe-control.js';
import { describeChoice, type SwitchDrivers } from './switch-drivers.js';
import { SwitchSession } from './switch-session.js';

export interface RescanOptions {
  /** Bound of one device's scan (all its SNMP requests), ms. */
  deviceTimeoutMs: number;
  /** SNMP request timeout and retries for switches. */
  snmpTimeoutMs: number;
  snmpRetries: number;
}

export const DEFAULT_RESCAN_OPTIONS: RescanOptions = { deviceTimeoutMs: 20_000, snmpTimeoutMs: 2000, snmpRetries: 1 };

/** How the server's own LLDP agent is reached (snmpd + lldpd on the walt-net address). */
export interface ServerAgent {
  mac: string;
  ip: string;
  port: number;
  community: string;
}

export interface RescanResult {
  lines: string[];
  ok: boolean;
}

type Outcome = 'ok' | 'variant' | 'issue';

const pad = (name: string) => `Querying ${name.padEnd(25)} `;

class DeadlineError extends Error {}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineError(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * `walt device rescan`: query the server's LLDP agent and every explorable switch concurrently (each
 * with its own bound), register the LLDP neighbours, deduce links from forwarding tables, merge with
 * what was known and save the topology. A switch that fails or a driver that throws costs only that
 * switch's data: it is logged on platform.switches and the others are still scanned.
 */
export class RescanService {
  private running: Promise<RescanResult> | undefined;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly drivers: SwitchDrivers,
    private readonly repo: SwitchesRepository,
    private readonly poe: PoeControl,
    private readonly logs: LogService,
    private readonly serverAgent: () => ServerAgent,
    private readonly standard: () => SwitchDriver | undefined,
    private readonly options: RescanOptions = DEFAULT_RESCAN_OPTIONS,
  ) {}

  /** One rescan at a time: a second request waits for the running one, then runs. */
  async rescan(devices: readonly Device[]): Promise<RescanResult> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.run(devices);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async run(devices: readonly Device[]): Promise<RescanResult> {
    const lines: string[] = [];
    const now = Date.now() / 1000;
    const switchMacs = new Set(devices.filter((d) => d.type === 'switch' && d.conf['lldp.explore'] === true).map((d) => d.mac));
    const off = this.repo.poeOff().filter((e) => switchMacs.has(e.mac));
    if (off.some((e) => e.reason === 'powersave')) {
      lines.push(
        'NOTE: WALT previously turned off PoE on some switch ports for automatic powersaving.',
        'NOTE: This command will re-enable PoE on these ports.',
        'NOTE: However, devices connected there may not be re-detected before a little time.',
        'NOTE: Re-running a scan in 10 minutes may give better results.',
      );
    }
    if (off.length) lines.push(...(await this.poe.restore(switchMacs)));

    const lldp = new LinkTopology();
    const bridge = new BridgeTopology();
    const outcomes = await Promise.all(devices.map((d) => this.scanDevice(d, lldp, bridge)));
    lines.push(...outcomes.map((o) => o.line));

    // Forwarding tables, helped by LLDP links; LLDP wins; then merge with stored data (new wins).
    const types = new Map(this.registry.all().map((d) => [d.mac, d.type as string]));
    bridge.addConfirmed(lldp);
    const fromBridge = bridge.deduce(types);
    fromBridge.setConfirmAll(false);
    const fresh = lldp;
    fresh.mergeOther(fromBridge);
    fresh.setConfirmAll(true);
    const stored = new LinkTopology();
    const lastSeen = new Map<string, number>();
    for (const l of this.repo.topology()) {
      stored.set(l.mac1, l.mac2, { port1: l.port1, port2: l.port2, confirmed: l.confirmed });
      lastSeen.set(l.mac1 < l.mac2 ? `${l.mac1}|${l.mac2}` : `${l.mac2}|${l.mac1}`, l.lastSeen);
    }
    for (const k of fresh.links.keys()) lastSeen.set(k, now);
    stored.unconfirm(new Set(devices.map((d) => d.mac)));
    fresh.mergeOther(stored);
    const nodes = new Set(this.registry.all().filter((d) => d.type === 'node').map((d) => d.mac));
    fresh.cleanup(nodes, lastSeen);
    const links: TopologyLink[] = [...fresh.entries()].map(([mac1, mac2, info]) => ({ mac1, mac2, ...info, lastSeen: lastSeen.get(`${mac1}|${mac2}`) ?? now }));
    this.repo.saveTopology(links, now);
    return { lines, ok: outcomes.every((o) => o.ok) };
  }

  private async scanDevice(device: Device, lldp: LinkTopology, bridge: BridgeTopology): Promise<{ line: string; ok: boolean }> {
    const fail = (why: string) => {
      this.logs.platform('switches', `rescan: ${device.name}: ${why}`, { error: true });
    };
    if (device.type === 'server') {
      try {
        const outcome = await withDeadline(this.scanServer(lldp), this.options.deviceTimeoutMs, `LLDP query of ${device.name}`);
        if (outcome !== 'ok') fail('LLDP query of the server agent failed');
        return { line: pad(device.name) + (outcome === 'ok' ? 'OK' : 'FAILED (LLDP SNMP issue)'), ok: outcome === 'ok' };
      } catch (e) {
        fail((e as Error).message);
        return { line: pad(device.name) + 'FAILED (LLDP SNMP issue)', ok: false };
      }
    }
    if (device.type !== 'switch') return { line: pad(device.name) + 'INVALID (can only scan switches or the server)', ok: false };
    if (device.conf['lldp.explore'] !== true) return { line: pad(device.name) + 'FORBIDDEN (see: walt help show device-config)', ok: false };
    if (!device.ip) return { line: pad(device.name) + 'FAILED (unknown management IP!)', ok: false };
    try {
      const [l, b] = await withDeadline(this.scanSwitch(device, lldp, bridge, fail), this.options.deviceTimeoutMs, `scan of ${device.name}`);
      const line =
        l === 'ok' && b === 'ok' ? 'OK' : l === 'ok' ? 'OK (LLDP-only data)' : b === 'ok' ? 'OK (BRIDGE-only data)' : 'FAILED (LLDP and BRIDGE SNMP issues)';
      return { line: pad(device.name) + line, ok: l === 'ok' || b === 'ok' };
    } catch (e) {
      fail((e as Error).message);
      return { line: pad(device.name) + 'FAILED (LLDP and BRIDGE SNMP issues)', ok: false };
    }
  }

  private async scanServer(lldp: LinkTopology): Promise<Outcome> {
    const agent = this.serverAgent();
    const driver = this.standard();
    if (!driver?.lldpNeighbors) return 'variant';
    const snmp = this.drivers.open({ host: agent.ip, port: agent.port, version: 2, community: agent.community, timeoutMs: 1000, retries: 1 });
    try {
      const neighbors = await driver.lldpNeighbors(snmp);
      this.recordNeighbors(agent.mac, neighbors, lldp, agent);
      return 'ok';
    } catch (e) {
      this.logs.platform('switches', `rescan: server LLDP agent ${agent.ip}:${agent.port}: ${(e as Error).message}`, { error: true });
      return 'issue';
    } finally {
      snmp.close();
    }
  }

  private async scanSwitch(device: Device, lldp: LinkTopology, bridge: BridgeTopology, fail: (why: string) => void): Promise<[Outcome, Outcome]> {
    let session: SwitchSession;
    try {
      session = await SwitchSession.open(this.drivers, device, this.standard(), { timeoutMs: this.options.snmpTimeoutMs, retries: this.options.snmpRetries });
    } catch (e) {
      fail((e as Error).message);
      return ['variant', 'variant'];
    }
    if (session.choice.probed) this.logs.platform('switches', `rescan: ${device.name}: driver ${describeChoice(session.choice)}`);
    const guard = async <T>(what: string, f: (() => Promise<T>) | undefined): Promise<T | Outcome> => {
      if (!f) return 'variant';
      try {
        return await f();
      } catch (e) {
        const who = isSnmpError(e) ? '' : ` (driver ${session.driver.id} threw)`;
        fail(`${what}${who}: ${(e as Error)?.message ?? e}`);
        return 'issue';
      }
    };
    try {
      const lldpFn = session.capability('lldpNeighbors');
      const fdbFn = session.capability('forwardingTable');
      const secFn = session.capability('secondaryMacs');
      const [neighbors, fdb, secondary] = await Promise.all([
        guard('LLDP neighbours', lldpFn && (() => lldpFn(session.snmp))),
        guard('forwarding table', fdbFn && (() => fdbFn(session.snmp))),
        guard('secondary MACs', secFn ? () => secFn(session.snmp) : async () => [] as string[]),
      ]);
      let l: Outcome = 'ok';
      if (typeof neighbors === 'string') l = neighbors;
      else this.recordNeighbors(device.mac, neighbors, lldp);
      let b: Outcome = 'ok';
      if (typeof fdb === 'string') b = fdb;
      else {
        bridge.registerSecondaryMacs(device.mac, typeof secondary === 'string' ? [] : secondary);
        for (const e of fdb) bridge.registerNeighbor(device.mac, e.port, e.mac);
      }
      return [l, b];
    } finally {
      session.close();
    }
  }

  /** Register LLDP neighbours in the topology and, when new, in the device registry. */
  private recordNeighbors(localMac: string, neighbors: readonly LldpNeighbor[], lldp: LinkTopology, server?: ServerAgent): void {
    const serverDevice = this.registry.all().find((d) => d.type === 'server');
    for (const n of neighbors) {
      // The switch next to the server sees its physical MAC; its announced IP is the walt-net one.
      let mac = n.mac;
      if (serverDevice && n.ip && n.ip === serverDevice.ip) mac = serverDevice.mac;
      if (server && mac === server.mac) continue;
      lldp.registerNeighbor(localMac, n.port, mac);
      const known = this.registry.byMac(mac);
      if (!known) {
        this.registry.register({ mac, ip: n.ip, type: n.bridge ? 'switch' : undefined, hostName: n.sysName?.toLowerCase() ?? undefined });
      } else if (known.type === 'unknown' && n.bridge) {
        // It announces itself as a bridge: an unknown device becomes a switch (renamed if still unknown-*).
        this.registry.register({ mac, ip: n.ip, type: 'switch' });
      } else if (n.ip && !known.ip) {
        this.registry.register({ mac, ip: n.ip });
      }
    }
  }
}

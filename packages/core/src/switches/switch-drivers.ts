import { LRUCache } from 'lru-cache';
import { snmpText, type PoePortMap, type SnmpSession, type SnmpSessionFactory, type SnmpTarget, type SwitchDriver } from '@walt/sdk';
import type { Device } from '../devices/device.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { SwitchesRepository } from '../store/switches-repository.js';

/** Vendor drivers scoring at least this are a confident match: the standard driver is not probed then. */
const CONFIDENT_SCORE = 60;

export interface DriverChoice {
  driver: SwitchDriver;
  score: number;
  /** The driver's PoE port map, once computed. */
  poeMap?: PoePortMap;
  /** Set when this choice was just probed (not reused): every driver's score, in probing order. */
  probed?: Array<{ driver: string; score: number | 'failed' | 'skipped' }>;
}

/**
 * "zyxel (score 90; probed tplink=0 netgear=0 zyxel=90 standard=skipped)": how a freshly probed
 * choice is logged (the standard driver is skipped once a vendor driver scored 60 or more).
 */
export function describeChoice(choice: DriverChoice): string {
  const scores = choice.probed?.map((p) => `${p.driver}=${p.score}`).join(' ');
  return `${choice.driver.id} (score ${choice.score}${scores ? `; probed ${scores}` : ''})`;
}

/** SNMP settings of a switch, from its device conf (`walt device config`). */
export function snmpTargetOf(device: Device, options: { timeoutMs?: number; retries?: number } = {}): SnmpTarget {
  const version = Number(device.conf['snmp.version']);
  const community = device.conf['snmp.community'];
  if (!device.ip) throw new Error(`${device.name} has no known IP address`);
  if ((version !== 1 && version !== 2) || typeof community !== 'string') {
    throw new Error(`${device.name} has no SNMP settings (walt device config ${device.name} snmp.version=2 snmp.community=<community>)`);
  }
  // snmp.port: agents on a non-standard port (tests, NAT'ed admin networks).
  const port = Number(device.conf['snmp.port'] ?? 161);
  return { host: device.ip, port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 161, version, community, ...options };
}

/**
 * Which driver handles which switch: probing (vendor drivers first, in registration order; the
 * fallback drivers of the standard MIBs last, unless a vendor is a confident match), highest score wins. Choices and PoE
 * port maps are cached in memory (lru-cache) and in the store, so a restart does not probe again.
 */
export class SwitchDrivers {
  private readonly cache = new LRUCache<string, DriverChoice>({ max: 1024 });

  constructor(
    private readonly extensions: ExtensionRegistry,
    private readonly repo: SwitchesRepository,
    readonly snmp: SnmpSessionFactory,
    private readonly onDriverError: (driver: string, device: string, error: unknown) => void,
  ) {}

  private drivers(): SwitchDriver[] {
    const all = this.extensions.switchDrivers().map((c) => c.value);
    return [...all.filter((d) => !d.fallback), ...all.filter((d) => d.fallback)];
  }

  /** Which drivers compete now: a stored choice made among other drivers is probed again. */
  private signature(): string {
    return this.drivers()
      .map((d) => d.id)
      .sort()
      .join(',');
  }

  open(target: SnmpTarget): SnmpSession {
    return this.snmp.open(target);
  }

  /** The cached choice for a switch at this IP, if any (memory, then store). */
  cached(device: Device): DriverChoice | undefined {
    const k = `${device.mac}@${device.ip}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const stored = this.repo.driverChoice(device.mac);
    if (!stored || stored.ip !== device.ip || stored.drivers !== this.signature()) return undefined;
    const driver = this.drivers().find((d) => d.id === stored.driver);
    if (!driver) return undefined;
    const choice: DriverChoice = { driver, score: stored.score, poeMap: stored.poeMap ?? undefined };
    this.cache.set(k, choice);
    return choice;
  }

  /** Probe every driver on a switch (or reuse the cached choice). Throws when no driver claims it. */
  async choose(device: Device, session: SnmpSession, options: { refresh?: boolean } = {}): Promise<DriverChoice> {
    if (!options.refresh) {
      const hit = this.cached(device);
      if (hit) return hit;
    }
    const [descr, oid, name] = await session.get(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.5.0']);
    const info = { sysDescr: snmpText(descr.value), sysObjectID: snmpText(oid.value), sysName: snmpText(name.value) };
    let best: DriverChoice | undefined;
    const probed: NonNullable<DriverChoice['probed']> = [];
    for (const driver of this.drivers()) {
      if (driver.fallback && best && best.score >= CONFIDENT_SCORE) {
        probed.push({ driver: driver.id, score: 'skipped' });
        break;
      }
      let score = 0;
      try {
        score = await driver.probe(session, info);
      } catch (e) {
        this.onDriverError(driver.id, device.name, e);
        probed.push({ driver: driver.id, score: 'failed' });
        continue;
      }
      probed.push({ driver: driver.id, score: Number.isFinite(score) ? score : 0 });
      if (Number.isFinite(score) && score > 0 && (!best || score > best.score)) best = { driver, score: Math.min(100, score) };
    }
    if (!best) throw new Error(`no switch driver handles ${device.name} (${info.sysDescr ?? 'no sysDescr'}; probed ${probed.map((p) => `${p.driver}=${p.score}`).join(' ')})`);
    this.remember(device, best);
    return { ...best, probed };
  }

  /** The driver's PoE map for this switch (computed once, then cached). */
  async poeMap(device: Device, session: SnmpSession, choice: DriverChoice): Promise<PoePortMap> {
    if (choice.poeMap) return choice.poeMap;
    const poe = choice.driver.poe;
    if (!poe) throw new Error(`switch ${device.name} has no PoE support in driver ${choice.driver.id}`);
    const map = poe.mapPorts ? await poe.mapPorts(session) : await identityMap(session, choice);
    choice.poeMap = map;
    this.remember(device, choice);
    return map;
  }

  forget(device: Device): void {
    this.cache.delete(`${device.mac}@${device.ip}`);
    this.repo.forgetDriverChoice(device.mac);
  }

  private remember(device: Device, choice: DriverChoice): void {
    // The cached copy is a reused choice: no probe scores.
    const { probed: _probed, ...reused } = choice;
    this.cache.set(`${device.mac}@${device.ip}`, reused);
    this.repo.saveDriverChoice({ mac: device.mac, ip: device.ip, driver: choice.driver.id, score: choice.score, poeMap: choice.poeMap ?? null, drivers: this.signature(), probedAt: Date.now() / 1000 });
  }
}

/** Without mapPorts, interface port n is PoE index "n" for the ports the driver reports. */
async function identityMap(session: SnmpSession, choice: DriverChoice): Promise<PoePortMap> {
  const guess: Record<string, string> = {};
  for (let p = 1; p <= 512; p++) guess[String(p)] = String(p);
  const ports = await choice.driver.poe!.ports(session, guess);
  return Object.fromEntries(ports.map((s) => [String(s.port), String(s.port)]));
}

import { NetSnmpSessionFactory } from '../snmp-session.js';
import { isSnmpError, type SnmpSession, type SnmpSessionFactory } from '../snmp.js';
import type { PoePortMap, SwitchDriver, SwitchProbeInfo } from '../switch-driver.js';
import { SimulatedSwitch, startSilentAgent, type SimulatedSwitchOptions } from './simulated-switch.js';
import { NO_STANDARD_MIBS_PROFILE, STANDARD_SWITCH_PROFILE, type SwitchProfile } from './switch-profile.js';

/**
 * The conformance suite of switch drivers: plain async checks against simulated switches, usable from
 * any test runner (`for (const c of switchDriverConformance(driver, {...})) it(c.name, c.run)`) or
 * without one (`await runSwitchConformance(driver, {...})` gives the results).
 */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

export interface ConformanceResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

export interface SwitchConformanceOptions {
  /** The switches this driver is written for, as its own package describes them. */
  profile: SwitchProfile;
  /**
   * Switches the driver must score lower than its own: the driver's package may name other vendors'
   * profiles. Default: a switch of the IETF MIBs only, or, for a driver of the IETF MIBs itself, a
   * switch that serves none of them.
   */
  foreignProfiles?: SwitchProfile[];
  /** Sessions (default: net-snmp over loopback). */
  snmp?: SnmpSessionFactory;
}

/** The switch every check runs against: 8 ports, 3 LLDP neighbours, 4 learned MACs, PoE on 1..6. */
export function conformanceSwitchOptions(profile: SwitchProfile): SimulatedSwitchOptions {
  return {
    profile,
    mac: '02:00:5e:00:53:01',
    sysName: `conf-${profile.name}`,
    ports: 8,
    poePorts: [1, 2, 3, 4, 5, 6],
    poweredDevices: [2, 3, 5],
    neighbors: [
      { port: 2, mac: 'b8:27:eb:00:00:02', ip: '192.168.152.12', sysName: 'rpi-two' },
      { port: 5, mac: 'b8:27:eb:00:00:05', ip: '192.168.152.15', sysName: 'rpi-five' },
      { port: 8, mac: '02:00:5e:00:53:99', ip: '192.168.152.99', sysName: 'uplink-sw', bridge: true },
    ],
    fdb: [
      { mac: 'b8:27:eb:00:00:02', port: 2 },
      { mac: 'b8:27:eb:00:00:05', port: 5 },
      { mac: '52:54:00:aa:bb:cc', port: 8 },
      { mac: '02:00:5e:00:53:99', port: 8 },
    ],
  };
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function probeInfo(snmp: SnmpSession): Promise<SwitchProbeInfo> {
  const [descr, oid, name] = await snmp.get(['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.5.0']);
  const text = (v: unknown) => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  return { sysDescr: text(descr.value), sysObjectID: text(oid.value), sysName: text(name.value) };
}

export function switchDriverConformance(driver: SwitchDriver, options: SwitchConformanceOptions): ConformanceCheck[] {
  const factory = options.snmp ?? new NetSnmpSessionFactory();
  const own = options.profile;
  const lldpAddresses = own.lldpManagementAddresses ?? own.lldpMib !== false;
  const base = conformanceSwitchOptions(own);
  const foreign = options.foreignProfiles ?? [own.sysObjectID === STANDARD_SWITCH_PROFILE.sysObjectID ? NO_STANDARD_MIBS_PROFILE : STANDARD_SWITCH_PROFILE];
  const withSwitch = async <T>(profile: SwitchProfile, community: 'read' | 'write', fn: (snmp: SnmpSession, sw: SimulatedSwitch) => Promise<T>) => {
    const sw = await SimulatedSwitch.start({ ...base, profile });
    const snmp = factory.open({
      host: sw.host,
      port: sw.port,
      version: 2,
      community: community === 'read' ? sw.readCommunity : sw.writeCommunity,
      timeoutMs: 1000,
      retries: 1,
    });
    try {
      return await fn(snmp, sw);
    } finally {
      snmp.close();
      await sw.close();
    }
  };
  const ownScore = () => withSwitch(own, 'read', async (snmp) => driver.probe(snmp, await probeInfo(snmp)));
  const map = async (snmp: SnmpSession): Promise<PoePortMap> =>
    driver.poe?.mapPorts ? driver.poe.mapPorts(snmp) : Object.fromEntries(base.poePorts!.map((p) => [String(p), String(p)]));

  const checks: ConformanceCheck[] = [
    {
      name: `${driver.id}: probe claims a ${own.name} switch (score 1..100)`,
      async run() {
        const score = await ownScore();
        assert(Number.isFinite(score) && score > 0 && score <= 100, `probe returned ${score}, expected 1..100`);
      },
    },
    {
      name: `${driver.id}: probe of a silent agent ends (0 or an SnmpError), it never hangs`,
      async run() {
        const silent = await startSilentAgent();
        const snmp = factory.open({ host: silent.host, port: silent.port, version: 2, community: 'public', timeoutMs: 200, retries: 0 });
        try {
          const info = { sysObjectID: null, sysDescr: null, sysName: null };
          const outcome = await Promise.race([
            driver.probe(snmp, info).then((s) => ({ score: s }), (e: unknown) => ({ error: e })),
            new Promise<{ hang: true }>((r) => setTimeout(() => r({ hang: true }), 5000).unref()),
          ]);
          assert(!('hang' in outcome), 'probe did not end within 5 s on an agent that never answers');
          if ('error' in outcome) assert(isSnmpError(outcome.error), `probe threw a non-SNMP error: ${String(outcome.error)}`);
          else assert(outcome.score === 0, `probe gave ${outcome.score} to an agent that never answered`);
        } finally {
          snmp.close();
          await silent.close();
        }
      },
    },
    {
      name: `${driver.id}: scores its own ${own.name} switch above other vendors' switches`,
      async run() {
        const score = await ownScore();
        for (const profile of foreign) {
          const other = await withSwitch(profile, 'read', async (snmp) => driver.probe(snmp, await probeInfo(snmp)));
          assert(other < score, `probe gave ${other} to a ${profile.name} switch, not less than ${score} for its own ${own.name}`);
        }
      },
    },
  ];
  if (driver.lldpNeighbors) {
    checks.push({
      name: `${driver.id}: lldpNeighbors lists each neighbour on its port`,
      async run() {
        const found = await withSwitch(own, 'read', (snmp) => driver.lldpNeighbors!(snmp));
        for (const n of base.neighbors!) {
          const got = found.find((f) => f.mac === n.mac);
          assert(got, `neighbour ${n.mac} missing (got ${JSON.stringify(found)})`);
          assert(got.port === n.port, `neighbour ${n.mac} on port ${got.port}, expected ${n.port}`);
          assert(got.sysName === n.sysName, `neighbour ${n.mac} sysName ${got.sysName}, expected ${n.sysName}`);
          if (lldpAddresses) assert(got.ip === n.ip, `neighbour ${n.mac} ip ${got.ip}, expected ${n.ip}`);
        }
        assert(found.length === base.neighbors!.length, `expected ${base.neighbors!.length} neighbours, got ${found.length}`);
      },
    });
  }
  if (driver.forwardingTable) {
    checks.push({
      name: `${driver.id}: forwardingTable lists the learned MACs per port`,
      async run() {
        const entries = await withSwitch(own, 'read', (snmp) => driver.forwardingTable!(snmp));
        for (const e of base.fdb!) {
          assert(entries.some((x) => x.mac === e.mac && x.port === e.port), `forwarding entry ${e.mac} on port ${e.port} missing`);
        }
      },
    });
  }
  if (driver.portNames) {
    checks.push({
      name: `${driver.id}: portNames labels every port`,
      async run() {
        const names = await withSwitch(own, 'read', (snmp) => driver.portNames!(snmp));
        for (let p = 1; p <= base.ports!; p++) assert(names.get(p), `no name for port ${p}`);
      },
    });
  }
  if (driver.poe) {
    const poe = driver.poe;
    checks.push(
      {
        name: `${driver.id}: poe maps and reports the PoE ports (enabled, delivering)`,
        async run() {
          const states = await withSwitch(own, 'read', async (snmp) => poe.ports(snmp, await map(snmp)));
          const ports = states.map((s) => s.port).sort((a, b) => a - b);
          assert(JSON.stringify(ports) === JSON.stringify(base.poePorts), `PoE ports ${ports}, expected ${base.poePorts}`);
          for (const s of states) {
            assert(s.enabled, `port ${s.port} reported disabled`);
            assert(s.delivering === base.poweredDevices!.includes(s.port), `port ${s.port} delivering=${s.delivering}`);
          }
        },
      },
      {
        name: `${driver.id}: poe setPower turns a port off then on, nothing else`,
        async run() {
          await withSwitch(own, 'write', async (snmp, sw) => {
            const m = await map(snmp);
            await poe.setPower(snmp, 3, false, m);
            assert(!sw.isPoeOn(3), 'port 3 still on after setPower(off)');
            const off = await poe.ports(snmp, m);
            assert(off.find((s) => s.port === 3)?.enabled === false, 'ports() does not report port 3 off');
            await poe.setPower(snmp, 3, true, m);
            assert(sw.isPoeOn(3), 'port 3 still off after setPower(on)');
            const changes = sw.timeline.filter((e) => e.source === 'snmp');
            assert(
              changes.length === 2 && changes.every((e) => e.port === 3) && !changes[0].on && changes[1].on,
              `expected port 3 off then on, got ${JSON.stringify(changes)}`,
            );
          });
        },
      },
      {
        name: `${driver.id}: poe setPower on a port without PoE fails with a message`,
        async run() {
          await withSwitch(own, 'write', async (snmp) => {
            let error: unknown;
            await poe.setPower(snmp, 7, false, await map(snmp)).catch((e) => (error = e));
            assert(error instanceof Error && error.message.length > 0, 'setPower on port 7 (no PoE) did not fail');
          });
        },
      },
      {
        name: `${driver.id}: poe setPower with a read-only community fails`,
        async run() {
          await withSwitch(own, 'read', async (snmp, sw) => {
            let error: unknown;
            await poe.setPower(snmp, 3, false, await map(snmp)).catch((e) => (error = e));
            assert(error instanceof Error, 'setPower succeeded with the read-only community');
            assert(sw.isPoeOn(3), 'port 3 changed through the read-only community');
          });
        },
      },
    );
  }
  return checks;
}

/** Run the suite without a test runner; every check runs, failures are collected. */
export async function runSwitchConformance(driver: SwitchDriver, options: SwitchConformanceOptions): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const check of switchDriverConformance(driver, options)) {
    const started = performance.now();
    try {
      await check.run();
      results.push({ name: check.name, ok: true, ms: Math.round(performance.now() - started) });
    } catch (e) {
      results.push({ name: check.name, ok: false, error: (e as Error)?.message ?? String(e), ms: Math.round(performance.now() - started) });
    }
  }
  return results;
}

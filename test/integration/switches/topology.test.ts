import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedSwitch } from '@walt/sdk/testing';
import { netgearSwitchProfile } from '../../../packages/plugins/switch-netgear/src/netgear-switch-profile.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { dataDirWithNodes, deviceNamed, fakeNodeService, normalizeScanAge, registerDevice } from './switch-helpers.js';

/**
 * A three-switch platform of simulated switches on loopback addresses (each its own IP, port 161, as
 * real switches; binding port 161 needs root): the server's own LLDP agent sees `core`; `core`
 * (standard MIBs) sees the server, `sw-a` (Netgear) and node1 by LLDP; `sw-b` has no LLDP and is
 * placed with node3 through forwarding tables. Everything goes through `walt` commands.
 */
const NET = '127.0.77';
const SERVER_PHYS = 'aa:bb:cc:77:00:01';
const CORE = '02:77:00:00:00:02';
const SWA = '02:77:00:00:00:03';
const SWB = '02:77:00:00:00:04';
const NODE1 = 'b8:27:eb:77:00:11';
const NODE2 = 'b8:27:eb:77:00:12';
const NODE3 = 'b8:27:eb:77:00:13';
const NODE4 = 'b8:27:eb:77:00:14';

describe.skipIf(skipUnless({ root: true }))('switch topology, tree and PoE reboots on simulated switches', () => {
  let server: ServerHandle;
  const sims: SimulatedSwitch[] = [];
  let core: SimulatedSwitch;
  let node3Service: Awaited<ReturnType<typeof fakeNodeService>>;

  beforeAll(async () => {
    // The server's own snmpd + lldpd, as the rescan of `server` queries them (walt-net address, port 161).
    sims.push(await SimulatedSwitch.start({ host: `${NET}.1`, port: 161, mac: SERVER_PHYS, sysName: 'walt-server', neighbors: [{ port: 2, mac: CORE, ip: `${NET}.2`, sysName: 'core', bridge: true }] }));
    core = await SimulatedSwitch.start({
      host: `${NET}.2`,
      port: 161,
      mac: CORE,
      sysName: 'core',
      ports: 8,
      neighbors: [
        { port: 1, mac: SERVER_PHYS, ip: `${NET}.1`, sysName: 'walt-server' },
        { port: 2, mac: SWA, ip: `${NET}.3`, sysName: 'sw-a', bridge: true },
        { port: 5, mac: NODE1, ip: `${NET}.11`, sysName: 'rpi-node1' },
      ],
      fdb: [
        { mac: SWA, port: 2 },
        { mac: NODE2, port: 2 },
        { mac: SWB, port: 3 },
        { mac: NODE3, port: 3 },
        { mac: NODE1, port: 5 },
      ],
    });
    sims.push(core);
    sims.push(
      await SimulatedSwitch.start({
        profile: netgearSwitchProfile,
        host: `${NET}.3`,
        port: 161,
        mac: SWA,
        sysName: 'sw-a',
        ports: 24,
        neighbors: [
          { port: 24, mac: CORE, ip: `${NET}.2`, sysName: 'core', bridge: true },
          { port: 4, mac: NODE2, ip: `${NET}.12`, sysName: 'rpi-node2' },
        ],
      }),
    );
    sims.push(
      await SimulatedSwitch.start({
          lldp: false,
        host: `${NET}.4`,
        port: 161,
        mac: SWB,
        sysName: 'sw-b',
        ports: 8,
        fdb: [
          { mac: CORE, port: 1 },
          { mac: SWA, port: 1 },
          { mac: NODE1, port: 1 },
          { mac: NODE2, port: 1 },
          { mac: NODE3, port: 7 },
        ],
      }),
    );
    node3Service = await fakeNodeService(`${NET}.13`, 'OK\n');
    server = await startServer({
      dataDir: dataDirWithNodes([
        { mac: NODE1, ip: `${NET}.11` },
        { mac: NODE2, ip: `${NET}.12` },
        { mac: NODE3, ip: `${NET}.13` },
        { mac: NODE4, ip: `${NET}.14` },
      ]),
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\n`,
      env: { WALT_RESCAN_DEVICE_TIMEOUT_MS: '8000' },
    });
    await registerDevice(server, SWB, `${NET}.4`);
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    await node3Service?.close();
    for (const s of sims) await s.close();
  });

  it('discovers the switch next to the server from its LLDP agent, and registers it', async () => {
    const r = await server.walt(['device', 'rescan']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Querying ${'walt-server'.padEnd(25)} OK`);
    expect(await deviceNamed(server, CORE)).toMatchObject({ name: 'core-000002', type: 'switch', ip: `${NET}.2` });
    expect(server.output()).toContain(`new switch name=core-000002 mac=${CORE} ip=${NET}.2`);
  });

  it('refuses to scan a switch WalT may not explore', async () => {
    const r = await server.walt(['device', 'rescan', 'core-000002']);
    expect(r.stdout).toContain(`Querying ${'core-000002'.padEnd(25)} FORBIDDEN (see: walt help show device-config)`);
  });

  it('explores switches once allowed, placing sw-b (no LLDP) through forwarding tables', async () => {
    let r = await server.walt(['device', 'config', 'core-000002', 'snmp.version=2', 'snmp.community=private', 'lldp.explore=true']);
    expect(r.code, r.stderr).toBe(0);
    r = await server.walt(['device', 'config', 'unknown-000004', 'type=switch', 'snmp.version=2', 'snmp.community=private', 'lldp.explore=true']);
    expect(r.code, r.stderr).toBe(0);
    r = await server.walt(['device', 'rescan']);
    expect(r.stdout).toContain(`Querying ${'core-000002'.padEnd(25)} OK`);
    expect(r.stdout).toContain(`Querying ${'switch-000004'.padEnd(25)} OK (BRIDGE-only data)`);
    expect(await deviceNamed(server, SWA)).toMatchObject({ name: 'sw-a-000003', type: 'switch' });
    r = await server.walt(['device', 'config', 'sw-a-000003', 'snmp.version=2', 'snmp.community=private', 'lldp.explore=true']);
    expect(r.code, r.stderr).toBe(0);
    r = await server.walt(['device', 'rescan']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`Querying ${'sw-a-000003'.padEnd(25)} OK`);
  });

  it('prints the tree in the reference format', async () => {
    const r = await server.walt(['device', 'tree']);
    expect(r.code, r.stderr).toBe(0);
    expect(normalizeScanAge(r.stdout)).toBe(
      [
        '',
        '-- core-000002 --',
        ' ├─1: walt-server',
        ' ├─2: -- sw-a-000003 --',
        ' │    ├─4: node-770012',
        ' │    └─24: ~> back to -- core-000002 --',
        ' ├─3: -- switch-000004 --',
        ' │    ├─1: ~> back to -- core-000002 --',
        ' │    └─7: node-770013',
        ' └─5: node-770011',
        '',
        "note: this view comes from last network scan, issued <delay> ago (use 'walt device rescan' to update).",
        '',
        'tips:',
        "- use 'walt device tree --all' to see all devices detected",
        "- use 'walt device show' for device details",
        "- use 'walt device config ...' (see walt help show device-config) to let WalT explore forbidden switches",
        "- use 'walt device rescan' to update",
        '',
        '',
      ].join('\n'),
    );
  });

  it('names ports and shows what WalT knows of them (port-config)', async () => {
    let r = await server.walt(['device', 'port-config', 'core-000002', '5', 'name=desk-5']);
    expect(r.stdout.trim()).toBe('Done.');
    r = await server.walt(['device', 'port-config', 'core-000002']);
    expect(r.stdout).toContain('WalT currently uses the following ports of core-000002:');
    expect(r.stdout).toContain('5: name="desk-5" poe=unavailable peer=node-770011');
    r = await server.walt(['device', 'port-config', 'core-000002', '5', 'name=bad_name']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("invalid port name 'bad_name'");
    r = await server.walt(['device', 'tree']);
    expect(r.stdout).toContain(' └─desk-5: node-770011');
    r = await server.walt(['device', 'port-config', 'core-000002', '5', 'name=5']);
    expect(r.stdout.trim()).toBe('Done.');
  });

  it('refuses a hard reboot with the reason when it is not allowed', async () => {
    // sw-a does not allow PoE reboots; node4 was never seen on any switch port.
    let r = await server.walt(['node', 'reboot', '--hard', 'node-770012']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('node-770012: failed hard-reboot (forbidden on switch sw-a-000003)');
    r = await server.walt(['node', 'reboot', '--hard', 'node-770014']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('node-770014: failed hard-reboot (unknown LLDP network position)');
    expect(core.timeline).toEqual([]);
  });

  it('soft-reboots a node through its TCP 12346 service', async () => {
    const r = await server.walt(['node', 'reboot', 'node-770013']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Node node-770013: rebooted OK.');
    expect(node3Service.requests).toEqual(['MODE single\nREBOOT\n']);
  });

  it('power-cycles a node: PoE off, at least 1 s, then on, once the switch allows it', async () => {
    let r = await server.walt(['device', 'config', 'core-000002', 'poe.reboots=true']);
    expect(r.code, r.stderr).toBe(0);
    r = await server.walt(['node', 'reboot', '--hard', 'node-770011']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Node node-770011: rebooted OK.');
    const events = core.timeline.filter((e) => e.port === 5);
    expect(events.map((e) => e.on)).toEqual([false, true]);
    expect(events.every((e) => e.source === 'snmp')).toBe(true);
    expect(events[1].at - events[0].at).toBeGreaterThanOrEqual(1000);
    expect(server.output()).toContain('node node-770011 is down (cause: reboot requested, method: PoE hard-reboot)');
    r = await server.walt(['device', 'port-config', 'core-000002', '5']);
    expect(r.stdout).toContain('5: name="5" poe=on peer=node-770011');
  });
});

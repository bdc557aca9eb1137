import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedSwitch } from '@walt/sdk/testing';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { dataDirWithNodes, registerDevice } from './switch-helpers.js';

const NET = '127.0.78';
const FIXTURE = resolve(import.meta.dirname, 'fixtures/walt-plugin-switch-exploding');

/**
 * Rescan with a switch that is not there (nothing listens at its IP), a switch whose agent never
 * answers, and a switch whose driver throws, next to a good switch: the rescan ends within its
 * per-device bound (3 s here; the test's own timeout is far below the sum of SNMP retries), reports
 * each failure in its line and in the platform log, and keeps the good switch's data.
 */
describe.skipIf(skipUnless({ root: true }))('rescan isolates unreachable switches, silent agents and throwing drivers', () => {
  let server: ServerHandle;
  const sims: SimulatedSwitch[] = [];

  beforeAll(async () => {
    sims.push(await SimulatedSwitch.start({ host: `${NET}.1`, port: 161, mac: 'aa:bb:cc:78:00:01', sysName: 'walt-server', neighbors: [{ port: 1, mac: '02:78:00:00:00:02', ip: `${NET}.2`, sysName: 'good', bridge: true }] }));
    sims.push(await SimulatedSwitch.start({ host: `${NET}.2`, port: 161, mac: '02:78:00:00:00:02', sysName: 'good', neighbors: [{ port: 3, mac: 'b8:27:eb:78:00:13', ip: `${NET}.13`, sysName: 'n3' }] }));
    const mute = await SimulatedSwitch.start({ host: `${NET}.3`, port: 161, mac: '02:78:00:00:00:03', sysName: 'mute' });
    mute.mute();
    sims.push(mute);
    sims.push(await SimulatedSwitch.start({ host: `${NET}.4`, port: 161, mac: '02:78:00:00:00:04', sysName: 'explode', fdb: [{ mac: 'b8:27:eb:78:00:21', port: 2 }] }));
    server = await startServer({
      dataDir: dataDirWithNodes([{ mac: 'b8:27:eb:78:00:13', ip: `${NET}.13` }, { mac: 'b8:27:eb:78:00:21', ip: `${NET}.21` }]),
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\nplugins:\n  - name: ${FIXTURE}\n`,
      env: { WALT_RESCAN_DEVICE_TIMEOUT_MS: '3000' },
    });
    for (const n of [2, 3, 4, 9]) await registerDevice(server, `02:78:00:00:00:0${n}`, `${NET}.${n}`);
    const r = await server.walt(['device', 'config', 'unknown-000002,unknown-000003,unknown-000004,unknown-000009', 'type=switch', 'snmp.version=2', 'snmp.community=private', 'lldp.explore=true']);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    for (const s of sims) await s.close();
  });

  it('ends within its bound with the partial result, and logs each failure', async () => {
    const r = await server.walt(['device', 'rescan', 'server,all-switches'], { timeoutMs: 20_000 });
    expect(r.stdout).toContain(`Querying ${'walt-server'.padEnd(25)} OK`);
    expect(r.stdout).toContain(`Querying ${'switch-000002'.padEnd(25)} OK`);
    expect(r.stdout).toContain(`Querying ${'switch-000003'.padEnd(25)} FAILED (LLDP and BRIDGE SNMP issues)`);
    expect(r.stdout).toContain(`Querying ${'switch-000009'.padEnd(25)} FAILED (LLDP and BRIDGE SNMP issues)`);
    // The throwing driver costs only its LLDP data: its forwarding table still places the node.
    expect(r.stdout).toContain(`Querying ${'switch-000004'.padEnd(25)} OK (BRIDGE-only data)`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('some devices could not be queried');
    const out = server.output();
    expect(out).toMatch(/platform\.switches -> rescan: switch-000003: .*(timed out|did not finish)/);
    expect(out).toMatch(/platform\.switches -> rescan: switch-000009: .*(timed out|did not finish)/);
    expect(out).toContain("platform.switches -> rescan: switch-000004: LLDP neighbours (driver exploding threw): Cannot read properties of undefined (reading 'port')");
    const tree = await server.walt(['device', 'tree']);
    expect(tree.stdout).toContain('-- switch-000002 --\n ├─?: walt-server\n └─3: node-780013\n');
    const ports = await server.walt(['device', 'port-config', 'switch-000004']);
    expect(ports.stdout).toContain('2: name="2" poe=unavailable peer=node-780021');
  }, 25_000);
});

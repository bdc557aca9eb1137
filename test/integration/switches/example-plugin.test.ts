import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedSwitch } from '@walt/sdk/testing';
import { zyxelSwitchProfile } from '../../../examples/walt-plugin-switch-zyxel/src/zyxel-switch-profile.js';
import { platformLines } from '../../helpers/platform-log.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, WALT_SERVER_BIN, runNode, startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { api, dataDirWithNodes, deviceNamed } from './switch-helpers.js';

const NET = '127.0.79';
const ZYXEL = '02:79:00:00:00:02';
const NODE = 'b8:27:eb:79:00:15';

/**
 * The third-party example driver as an administrator installs it: `npm pack`, then
 * `walt-server plugins add <tarball>`, then a server restart; the driver then claims a simulated
 * Zyxel switch and power-cycles a node's port on it.
 */
describe.skipIf(skipUnless({ root: true, commands: ['npm'] }))('example driver walt-plugin-switch-zyxel, installed from its tarball', () => {
  let server: ServerHandle;
  const sims: SimulatedSwitch[] = [];
  let zyxel: SimulatedSwitch;
  let packDir: string;
  const config = `network:\n  walt-net:\n    raw-device: null\n    ip: ${NET}.1/24\napi:\n  port: 0\n`;

  beforeAll(async () => {
    sims.push(await SimulatedSwitch.start({ host: `${NET}.1`, port: 161, mac: 'aa:bb:cc:79:00:01', sysName: 'walt-server', neighbors: [{ port: 1, mac: ZYXEL, ip: `${NET}.2`, sysName: 'zy', bridge: true }] }));
    zyxel = await SimulatedSwitch.start({
      profile: zyxelSwitchProfile,
      host: `${NET}.2`,
      port: 161,
      mac: ZYXEL,
      sysName: 'zy',
      ports: 10,
      neighbors: [
        { port: 10, mac: 'aa:bb:cc:79:00:01', ip: `${NET}.1`, sysName: 'walt-server' },
        { port: 5, mac: NODE, ip: `${NET}.15`, sysName: 'rpi' },
      ],
    });
    sims.push(zyxel);
    packDir = mkdtempSync(join(tmpdir(), 'walt-pack-'));
    server = await startServer({ dataDir: dataDirWithNodes([{ mac: NODE, ip: `${NET}.15` }]), config });
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    for (const s of sims) await s.close();
    if (packDir) rmSync(packDir, { recursive: true, force: true });
  });

  it('packs, installs with walt-server plugins add, and loads after a restart', async () => {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', join(REPO, 'examples/walt-plugin-switch-zyxel'), '--pack-destination', packDir, '--json', '--ignore-scripts'], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 60_000,
      }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    expect(packed[0].files.map((f) => f.path)).toContain('dist/index.js');
    const tarball = join(packDir, packed[0].filename);
    const add = await runNode(WALT_SERVER_BIN, ['plugins', 'add', tarball, '--config', server.configFile, '--data-dir', server.dataDir], { timeoutMs: 120_000 });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('walt-plugin-switch-zyxel@1.0.0 installed');
    const dataDir = server.dataDir;
    await server.stop();
    server = await startServer({ dataDir, config });
    const list = await runNode(WALT_SERVER_BIN, ['plugins', 'list', '--json', '--config', server.configFile, '--data-dir', server.dataDir]);
    const plugins = JSON.parse(list.stdout) as Array<{ name: string; status?: string; contributes?: { switchDrivers?: string[] } }>;
    const zy = plugins.find((p) => p.name === 'walt-plugin-switch-zyxel');
    expect(zy, list.stdout).toBeDefined();
    expect(JSON.stringify(zy)).toContain('zyxel');
  }, 180_000);

  it('claims the Zyxel switch (probing) and power-cycles a node on it', async () => {
    let r = await server.walt(['device', 'rescan']);
    expect(r.stdout).toContain('OK');
    const sw = await deviceNamed(server, ZYXEL);
    expect(sw?.type).toBe('switch');
    r = await server.walt(['device', 'config', sw!.name, 'snmp.version=2', 'snmp.community=private', 'lldp.explore=true', 'poe.reboots=true']);
    expect(r.code, r.stderr).toBe(0);
    r = await server.walt(['device', 'rescan']);
    expect(r.stdout).toContain(`Querying ${sw!.name.padEnd(25)} OK`);
    // Which driver the server chose: logged when probed, shown by `walt device show` and its --json.
    const chosen = platformLines(server.dataDir, 'platform.switches').filter((l) => l.startsWith(`rescan: ${sw!.name}: driver `));
    expect(chosen).toHaveLength(1);
    expect(chosen[0]).toMatch(new RegExp(`^rescan: ${sw!.name}: driver zyxel \\(score 90; probed .*zyxel=90 standard=skipped\\)$`));
    const shown = await server.walt(['device', 'show', '--json']);
    const asJson = (JSON.parse(shown.stdout) as Array<{ name: string; driver?: { id: string; score: number } | null }>).find((d) => d.name === sw!.name);
    expect(asJson?.driver).toMatchObject({ id: 'zyxel' });
    const table = await server.walt(['device', 'show']);
    expect(table.stdout).toMatch(new RegExp(`^${sw!.name}\\s.*\\sswitch\\s.*zyxel \\(\\d+\\)\\s*$`, 'm'));
    const poe = await api<{ driver: string; ports: Array<{ port: number; enabled: boolean }> }>(server, 'GET', `/api/v1/switches/${sw!.name}/poe`);
    expect(poe.driver).toBe('zyxel');
    expect(poe.ports.map((p) => p.port)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    r = await server.walt(['node', 'reboot', '--hard', 'node-790015']);
    expect(r.code, r.stderr).toBe(0);
    const events = zyxel.timeline.filter((e) => e.port === 5);
    expect(events.map((e) => e.on)).toEqual([false, true]);
    expect(events[1].at - events[0].at).toBeGreaterThanOrEqual(1000);
    // The driver wrote the standard admin object at Zyxel's index (group 1, bridge port 5).
    expect(zyxel.sets.map((s) => s.oid)).toEqual(['1.3.6.1.2.1.105.1.1.1.3.1.5', '1.3.6.1.2.1.105.1.1.1.3.1.5']);
  }, 60_000);
});

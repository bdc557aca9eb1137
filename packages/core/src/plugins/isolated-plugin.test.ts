import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeRef, SnmpSession, SnmpTarget, VirtualNodeSession } from '@walt/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageFixtures, type StagedFixtures } from '../../../../test/fixtures/plugins/stage-fixtures.js';
import { PluginHost } from './plugin-host.js';
import type { PluginSource } from './plugin-sources.js';

/** A fake agent for the SNMP requests an isolated driver makes through the server (pure data, no socket). */
const fakeSnmp = {
  open: (target: SnmpTarget) =>
    ({
      target,
      get: async (oids: readonly string[]) => oids.map((oid) => ({ oid, type: 4, value: Buffer.from(target.community === 'asking' ? 'asking' : 'other') })),
      walk: async () => [],
      table: async () => new Map(),
      set: async () => undefined,
      close: () => undefined,
    }) satisfies SnmpSession,
};

const node: NodeRef = { mac: '02:00:00:00:00:01', ip: null, name: 'board-1', model: 'x', image: 'img', settings: {} };

/** Third-party plugins in their own processes (real child processes), driven through the host's registry. */
describe('PluginHost with isolated third-party plugins', () => {
  let fixtures: StagedFixtures;
  let dataDir: string;
  const logs: string[] = [];
  const reports: string[] = [];
  let host: PluginHost;
  const source = (name: string, patch: Partial<PluginSource> = {}): PluginSource => ({
    spec: fixtures.dir(name),
    origin: 'config',
    resolveFrom: [],
    declaredIn: 'plugins[0] of test',
    ...patch,
  });

  beforeAll(async () => {
    fixtures = stageFixtures([
      'walt-plugin-good',
      'walt-plugin-loops',
      'walt-plugin-exits-at-load',
      'walt-plugin-exits-later',
      'walt-plugin-hook-hangs',
      'walt-plugin-hook-throws',
      'walt-plugin-async-throws',
      'walt-plugin-vnodes',
      'walt-plugin-chatty',
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'walt-isolated-'));
    host = new PluginHost({
      timeoutMs: 3000,
      callTimeoutMs: 1000,
      isolateThirdParty: true,
      dataDir,
      snmp: fakeSnmp,
      log: (plugin, level, m) => logs.push(`${level} ${plugin}: ${m}`),
      report: (line) => reports.push(line),
    });
    await host.loadAll(
      [
        source('walt-plugin-loops'),
        source('walt-plugin-exits-at-load'),
        source('walt-plugin-exits-later'),
        source('walt-plugin-hook-hangs'),
        source('walt-plugin-hook-throws'),
        source('walt-plugin-good'),
        source('walt-plugin-good', { origin: 'dev', declaredIn: '--plugin-dir' }),
        source('walt-plugin-good', { inProcess: true }),
        source('walt-plugin-vnodes'),
        source('walt-plugin-chatty'),
      ],
      { failFast: false },
    );
  }, 120_000);

  afterAll(async () => {
    await host?.shutdown();
    fixtures?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const result = (name: string, i = 0) => host.results.filter((r) => r.name === name)[i];

  it('kills a plugin whose register() never yields, at the load timeout', () => {
    expect(result('walt-plugin-loops')).toMatchObject({ status: 'failed', failedAt: 'load' });
    expect(result('walt-plugin-loops').error).toMatch(/^did not finish loading within 3000 ms .*its process was killed/);
  });

  it('refuses a plugin that exits while loading, keeping none of its contributions', () => {
    expect(result('walt-plugin-exits-at-load')).toMatchObject({ status: 'failed', error: 'its process exited with code 3 while loading' });
    expect(host.registry.helpTopic('never-there')).toBeUndefined();
  });

  it('refuses a boot protocol out of process, and takes it in process when the config trusts the plugin', () => {
    expect(result('walt-plugin-good').error).toMatch(/^contributes boot protocol fixture-boot, whose hooks answer DHCP and TFTP synchronously .*'in-process: true'/);
    expect(result('walt-plugin-good', 1).error).toMatch(/trust it to run inside the server with 'walt-server start --in-process'$/);
    expect(result('walt-plugin-good', 2)).toMatchObject({ status: 'loaded', contributes: { bootProtocols: ['fixture-boot'] } });
  });

  it('copies data contributions and turns hooks into calls to the plugin process', async () => {
    expect(result('walt-plugin-hook-throws').status).toBe('loaded');
    const model = host.registry.nodeModel('throwing-board');
    expect(model).toMatchObject({ family: 'fixture', bootFiles: ['start.uboot'] });
    await expect(model!.hooks!.kill!(node)).rejects.toThrow('relay of board-1 is stuck');
    // The driver's SNMP requests come back to the server's session factory.
    const driver = host.registry.switchDrivers().find((c) => c.value.id === 'asking-switch')!.value;
    const session = fakeSnmp.open({ host: '192.0.2.1', version: 2, community: 'asking' });
    expect(await driver.probe(session, { sysName: 'asking', sysDescr: null, sysObjectID: null })).toBe(77);
    // An error of a hook is the plugin's: it stays loaded.
    expect(result('walt-plugin-hook-throws').status).toBe('loaded');
  });

  it('runs a virtual node provider across the boundary: the session is called back, bytes cross both ways', async () => {
    const provider = host.registry.virtualNodeProvider()!.value;
    const events: string[] = [];
    const output: string[] = [];
    let released = 0;
    const session: VirtualNodeSession = {
      node,
      current: async () => ({ ...node, boot: { kind: 'pxe', tap: 'tap0' }, serverIp: '192.168.152.1', netmask: '255.255.255.0', release: () => void released++ }),
      output: (chunk) => output.push(Buffer.from(chunk).toString()),
      event: (line) => events.push(line),
    };
    await provider.start(session);
    await waitFor(() => released === 1 && output.length === 1);
    expect(events).toEqual(['booting board-1 on img (pxe)']);
    expect(output).toEqual(['U-Boot 2024\n']);
    provider.input(node, new TextEncoder().encode('ls\n'));
    await waitFor(() => output.length === 2);
    expect(output[1]).toBe('ls\n');
    await provider.kill(node);
    expect(events).toContain('killed board-1');
    await provider.stop(node);
  });

  it("bounds a plugin's output: 200 lines a second reach the platform log, the rest are counted", async () => {
    await waitFor(() => logs.includes('warn walt-plugin-chatty: and one more'));
    const chatty = logs.filter((l) => l.includes('walt-plugin-chatty:'));
    // 1000 lines printed at once: 200 pass (up to 400 if they straddle a second), the rest are counted.
    const passed = chatty.filter((l) => l.startsWith('info walt-plugin-chatty: chatter ')).length;
    expect(passed).toBeGreaterThanOrEqual(200);
    expect(passed).toBeLessThanOrEqual(400);
    const dropped = chatty.map((l) => /: (\d+) log lines dropped \(more than 200 in one second\)$/.exec(l)).filter((m) => m !== null);
    expect(dropped.reduce((n, m) => n + Number(m[1]), 0)).toBe(1000 - passed);
  });

  it('bounds a hook that never returns, and kills a plugin whose hook spins', async () => {
    const model = host.registry.nodeModel('hanging-board')!;
    const started = Date.now();
    await expect(model.hooks!.kill!(node)).rejects.toThrow('walt-plugin-hook-hangs did not answer within 1000 ms');
    expect(Date.now() - started).toBeLessThan(20_000);
    const driver = host.registry.switchDrivers().find((c) => c.value.id === 'spinning-switch')!.value;
    const session = fakeSnmp.open({ host: '192.0.2.1', version: 2, community: 'x' });
    await expect(driver.probe(session, { sysName: null, sysDescr: null, sysObjectID: null })).rejects.toThrow(/did not answer within 1000 ms/);
    // The process does not even answer a ping: killed, and its contributions withdrawn.
    await waitFor(() => result('walt-plugin-hook-hangs').status === 'failed');
    expect(result('walt-plugin-hook-hangs')).toMatchObject({ failedAt: 'runtime' });
    expect(result('walt-plugin-hook-hangs').error).toMatch(/^stopped answering/);
    expect(host.registry.nodeModel('hanging-board')).toBeUndefined();
    expect(reports.filter((l) => l.startsWith('plugin walt-plugin-hook-hangs@1.0.0 FAILED at run time'))).toHaveLength(1);
  }, 30_000);

  it('withdraws a plugin whose process exits from a timer after its onReady, with one report line', async () => {
    expect(host.registry.helpTopic('exits-later-topic')).toBeDefined();
    await host.ready();
    await waitFor(() => result('walt-plugin-exits-later').status === 'failed');
    expect(result('walt-plugin-exits-later')).toMatchObject({ failedAt: 'runtime', error: 'its process exited with code 4' });
    expect(host.registry.helpTopic('exits-later-topic')).toBeUndefined();
    expect(reports).toContain('plugin walt-plugin-exits-later@1.0.0 FAILED at run time (config): its process exited with code 4');
  }, 30_000);
});

async function waitFor(probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

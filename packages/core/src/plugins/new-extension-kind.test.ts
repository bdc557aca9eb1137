import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin } from '@walt/sdk';
import { createTestContext } from '@walt/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLE_WITH_POWER_DRIVERS, withdrawnPowerDrivers, type PowerDriver } from '../../../../test/fixtures/power-driver-kind/power-driver-point.js';
import { stageFixtures, type StagedFixtures } from '../../../../test/fixtures/plugins/stage-fixtures.js';
import { PluginHost } from './plugin-host.js';
import { reportLines } from './plugin-report.js';
import type { PluginSource } from './plugin-sources.js';

const noSnmp = { open: () => { throw new Error('no SNMP in this test'); } };

/**
 * Issue 11: a new extension kind is its type and one entry of the table. The toy "power driver"
 * kind (test/fixtures/power-driver-kind) is given to the host and the test context, and nothing else
 * is told about it: real plugin packages contribute it, the report lists it, a conflict is refused,
 * a bad one is refused by its define, and a plugin failing at run time has it withdrawn.
 */
describe('a new extension kind declared only by its table entry and type', () => {
  let fixtures: StagedFixtures;
  let dataDir: string;
  const reports: string[] = [];
  const logs: string[] = [];
  let host: PluginHost<typeof TABLE_WITH_POWER_DRIVERS>;
  const source = (name: string): PluginSource => ({ spec: fixtures.dir(name), origin: 'config', resolveFrom: [], declaredIn: 'plugins[0] of test' });

  beforeAll(async () => {
    fixtures = stageFixtures(['walt-plugin-pdu-a', 'walt-plugin-pdu-b', 'walt-plugin-pdu-flaky', 'walt-plugin-pdu-bad', 'walt-plugin-good']);
    dataDir = mkdtempSync(join(tmpdir(), 'walt-kind-'));
    host = new PluginHost({
      points: TABLE_WITH_POWER_DRIVERS,
      timeoutMs: 2000,
      dataDir,
      snmp: noSnmp,
      log: (plugin, level, m) => logs.push(`${level} ${plugin}: ${m}`),
      report: (line) => reports.push(line),
    });
    await host.loadAll(['walt-plugin-pdu-a', 'walt-plugin-pdu-b', 'walt-plugin-pdu-flaky', 'walt-plugin-pdu-bad', 'walt-plugin-good'].map(source));
  });
  afterAll(() => {
    fixtures?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets a plugin contribute it, and the report lists it', () => {
    const a = host.results.find((r) => r.name === 'walt-plugin-pdu-a')!;
    expect(a).toMatchObject({ status: 'loaded', contributes: { powerDrivers: ['acme-pdu'], nodeModels: [] } });
    expect(host.registry.get('powerDrivers', 'acme-pdu')?.description).toBe('ACME PDU outlets');
    expect(host.registry.ownerOf('powerDrivers', 'acme-pdu')).toBe('walt-plugin-pdu-a');
    expect(reports).toContain('plugin walt-plugin-pdu-a@1.0.0 loaded (config, ' + a.loadMs + ' ms): powerDrivers=acme-pdu');
    // Plugins that contribute none of it report the kind empty, like every other kind.
    expect(host.results.find((r) => r.name === 'walt-plugin-good')!.contributes.powerDrivers).toEqual([]);
  });

  it('refuses a conflicting contribution with both plugins named, keeping none of the newcomer', () => {
    const b = host.results.find((r) => r.name === 'walt-plugin-pdu-b')!;
    expect(b).toMatchObject({ status: 'failed', error: "conflict: power driver 'acme-pdu' is already provided by walt-plugin-pdu-a" });
    expect(host.registry.helpTopic('pdu-b')).toBeUndefined();
  });

  it("checks each contribution with the kind's define", () => {
    const bad = host.results.find((r) => r.name === 'walt-plugin-pdu-bad')!;
    expect(bad).toMatchObject({ status: 'failed', error: 'register() threw: definePowerDriver(bad-pdu): setPower must be a function' });
  });

  it("withdraws a failing plugin's contribution through the kind's withdraw", async () => {
    expect(host.registry.get('powerDrivers', 'flaky-pdu')).toBeDefined();
    await host.ready();
    const flaky = host.results.find((r) => r.name === 'walt-plugin-pdu-flaky')!;
    expect(flaky).toMatchObject({ status: 'failed', failedAt: 'ready', error: 'PDU link lost' });
    expect(host.registry.get('powerDrivers', 'flaky-pdu')).toBeUndefined();
    expect(host.registry.all('powerDrivers').map((c) => c.value.id)).toEqual(['acme-pdu']);
    await new Promise((r) => setImmediate(r));
    expect(withdrawnPowerDrivers).toEqual(['flaky-pdu']);
    expect(reportLines(host.results).at(-1)).toBe('plugins: 2 loaded, 3 failed');
  });

  it('is offered by the SDK test context with the same checks', async () => {
    const plugin = definePlugin<Record<string, unknown>, typeof TABLE_WITH_POWER_DRIVERS>({
      name: 'walt-plugin-pdu-test',
      version: '1.0.0',
      register(api) {
        const driver: PowerDriver = { id: 'test-pdu', description: 'in a unit test', setPower: async () => undefined };
        api.powerDriver(driver);
        api.powerDriver(driver);
      },
    });
    const ctx = createTestContext({ points: TABLE_WITH_POWER_DRIVERS });
    await expect(ctx.register(plugin)).rejects.toThrow("conflict: power driver 'test-pdu' is declared twice by walt-plugin-pdu-test");
    ctx.api.powerDriver({ id: 'by-hand', description: 'called by hand', setPower: async () => undefined });
    expect(ctx.contributions.powerDrivers.map((d) => d.id)).toEqual(['by-hand']);
  });
});

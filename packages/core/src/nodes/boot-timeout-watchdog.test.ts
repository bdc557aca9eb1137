import { describe, expect, it } from 'vitest';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import type { LogService } from '../logs/log-service.js';
import { BootTimeoutWatchdog } from './boot-timeout-watchdog.js';

function node(name: string, conf: Record<string, unknown> = {}): Device {
  return { mac: `52:54:00:00:00:${name.slice(-2)}`, ip: null, name, type: 'node', virtual: false, model: 'pc-x86-64', image: null, conf, createdAt: 0 };
}

/** A watchdog over `nodes` with a hand-moved clock; records log lines and hard reboots. */
function setup(nodes: Device[], options: { booted?: Set<string>; powersave?: Set<string>; rebootFails?: boolean } = {}) {
  let now = 1_000_000;
  const lines: string[] = [];
  const reboots: string[] = [];
  const registry = { all: () => nodes } as unknown as DeviceRegistry;
  const logs = { platform: (topic: string, line: string) => lines.push(`${topic}: ${line}`) } as unknown as LogService;
  const dog = new BootTimeoutWatchdog({
    registry,
    logs,
    isBooted: (mac) => options.booted?.has(mac) ?? false,
    inPowersave: (n) => options.powersave?.has(n.mac) ?? false,
    hardReboot: async (n) => {
      reboots.push(n.name);
      if (options.rebootFails) return { ok: false, lines: [`${n.name}: failed hard-reboot (unknown LLDP network position)`] };
      dog.bootStarted(n); // what the reboot service's listener does
      return { ok: true, lines: [`Node ${n.name}: rebooted OK.`] };
    },
    now: () => now,
  });
  dog.start();
  dog.stop(); // checks are driven by hand
  return { dog, lines, reboots, advance: (s: number) => (now += s * 1000) };
}

describe('boot timeout watchdog (reference 6.1)', () => {
  it('hard-reboots a node not booted within boot.timeout (default 180 s), counting retries down', async () => {
    const t = setup([node('n01')]);
    t.advance(179);
    await t.dog.check();
    expect(t.reboots).toEqual([]);
    t.advance(1);
    await t.dog.check();
    expect(t.reboots).toEqual(['n01']);
    expect(t.lines).toEqual(['nodes: n01: boot timeout reached, trying hard-reboot (8 retries left).', 'nodes: Node n01: rebooted OK.']);
    // the next try waits a whole timeout again
    t.advance(179);
    await t.dog.check();
    expect(t.reboots).toHaveLength(1);
  });

  it('stops after boot.retries tries, the last one logged as such, even when the hard reboot fails', async () => {
    const t = setup([node('n02', { 'boot.retries': 2, 'boot.timeout': 60 })], { rebootFails: true });
    for (let i = 0; i < 5; i++) {
      t.advance(60);
      await t.dog.check();
    }
    expect(t.reboots).toEqual(['n02', 'n02']);
    expect(t.lines.filter((l) => l.includes('timeout'))).toEqual([
      'nodes: n02: boot timeout reached, trying hard-reboot (1 retries left).',
      'nodes: n02: boot timeout reached, trying hard-reboot (last try).',
    ]);
    expect(t.lines).toContain('nodes: n02: failed hard-reboot (unknown LLDP network position)');
  });

  it('a user reboot or a down event gives the retries back; its own reboots do not', async () => {
    const n = node('n03', { 'boot.retries': 1, 'boot.timeout': 60 });
    const t = setup([n]);
    t.advance(60);
    await t.dog.check();
    t.advance(60);
    await t.dog.check();
    expect(t.reboots).toEqual(['n03']); // 1 retry, used
    t.dog.bootStarted(n); // walt node reboot
    t.advance(60);
    await t.dog.check();
    expect(t.reboots).toEqual(['n03', 'n03']);
  });

  it('leaves alone booted nodes, nodes in powersave, boot.timeout=none and nodes with boot.retries=0', async () => {
    const nodes = [node('n04'), node('n05'), node('n06', { 'boot.timeout': null }), node('n07', { 'boot.retries': 0 })];
    const t = setup(nodes, { booted: new Set([nodes[0].mac]), powersave: new Set([nodes[1].mac]) });
    t.advance(3600);
    await t.dog.check();
    expect(t.reboots).toEqual([]);
    expect(t.lines).toEqual([]);
  });

  it('a node registered later gets its whole timeout from when the watchdog first sees it; a raised boot.retries adds tries', async () => {
    const nodes = [node('n08', { 'boot.retries': 0 })];
    const t = setup(nodes);
    t.advance(1000);
    const late = node('n09');
    nodes.push(late);
    await t.dog.check();
    expect(t.reboots).toEqual([]);
    t.advance(180);
    nodes[0].conf['boot.retries'] = 1;
    await t.dog.check();
    expect(t.reboots.sort()).toEqual(['n08', 'n09']);
  });
});

// `npm run bench -- plugins [--rounds N] [--calls N]`: what running a third-party plugin in its own
// process costs (issue 14 item 6). For the example switch driver (examples/walt-plugin-switch-zyxel):
// the time to load it in the server's process and in a child process, the child's memory, and a
// driver call (probe, whose SNMP request comes back to the server's session) in process and across
// the boundary. Medians over rounds. In process, only the first round imports the module (Node caches
// it): its load is the max of the spread.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printLoad, spread } from './bench-stats.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLUGIN = join(REPO, 'examples/walt-plugin-switch-zyxel');

/** A session answering every OID with "nothing there", in memory. */
const session = {
  target: { host: '192.0.2.1', version: 2, community: 'public' },
  get: async (oids) => oids.map((oid) => ({ oid, type: 128, value: null })),
  walk: async () => [],
  table: async () => new Map(),
  set: async () => undefined,
  close: () => undefined,
};
const info = { sysObjectID: '1.3.6.1.4.1.890.1.5.8.19', sysDescr: 'GS1900-8HP', sysName: 'sw' };

export default async function plugins(args) {
  const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
  const rounds = arg('--rounds', 5);
  const calls = arg('--calls', 200);
  const { PluginHost } = await import(join(REPO, 'packages/core/dist/plugins/plugin-host.js'));
  const dataDir = mkdtempSync(join(tmpdir(), 'walt-bench-plugins-'));
  printLoad('before');
  const results = { 'in process': { load: [], call: [] }, 'own process': { load: [], call: [], rssMb: [] } };
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [label, isolate] of [['in process', false], ['own process', true]]) {
        const host = new PluginHost({ timeoutMs: 60_000, isolateThirdParty: isolate, dataDir, snmp: { open: () => session }, log: () => undefined });
        const t = performance.now();
        const [res] = await host.loadAll([{ spec: PLUGIN, origin: 'config', resolveFrom: [], declaredIn: 'bench' }], { failFast: false });
        results[label].load.push(performance.now() - t);
        if (res.status !== 'loaded') throw new Error(`${label}: ${res.error}`);
        const driver = host.registry.switchDrivers()[0].value;
        const c = performance.now();
        for (let i = 0; i < calls; i++) await driver.probe(session, info);
        results[label].call.push((performance.now() - c) / calls);
        if (isolate) {
          const pid = Object.values(host.processes())[0];
          results[label].rssMb.push(Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
        }
        await host.shutdown();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const [label, r] of Object.entries(results)) {
    process.stdout.write(
      `${label.padEnd(12)} load ${spread(r.load, 0, ' ms')}, probe call ${spread(r.call, 3, ' ms')}` +
        (r.rssMb ? `, child RSS ${median(r.rssMb).toFixed(0)} MB` : '') +
        '\n',
    );
  }
  printLoad('after');
  return 0;
}

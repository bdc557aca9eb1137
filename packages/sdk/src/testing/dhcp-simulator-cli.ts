/**
 * Process entry of the DHCP client simulator, to run inside a network namespace
 * (`ip netns exec <ns> node dhcp-simulator-cli.js '<json>'`). Prints one JSON line per event:
 * {"event":"ready"}, {"event":"ack","mac","ip","ms"}, then {"event":"done", elapsedMs, outcomes}.
 * With "malformed": N it first sends N malformed packets (seeded) and prints {"event":"sent"}.
 */
import { DhcpClientSimulator, type SimulatedClient, type SimulatorOptions } from './dhcp-client-simulator.js';
import { malformedDhcpPackets } from './malformed-dhcp-packets.js';

interface CliInput extends SimulatorOptions {
  clients?: SimulatedClient[];
  /** Generate this many clients: MACs <macPrefix>:xx:xx:xx (3 bytes), optional vendor class. */
  count?: number;
  macPrefix?: string;
  vendorClass?: string;
  timeoutMs?: number;
  /** Clients in flight at once (all by default). */
  concurrency?: number;
  malformed?: number;
  seed?: number;
}

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as CliInput;
  const sim = new DhcpClientSimulator(input);
  await sim.open();
  if (input.malformed) {
    let n = 0;
    for (const packet of malformedDhcpPackets(input.malformed, input.seed ?? 1)) {
      await sim.sendRaw(packet);
      if (++n % 200 === 0) await new Promise((r) => setTimeout(r, 5)); // let the server's socket buffer drain
    }
    out({ event: 'sent', count: n });
  }
  const clients = [...(input.clients ?? [])];
  for (let i = 0; i < (input.count ?? 0); i++) {
    const suffix = [(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':');
    clients.push({ mac: `${input.macPrefix ?? '02:00:00'}:${suffix}`, ...(input.vendorClass ? { vendorClass: input.vendorClass } : {}) });
  }
  // Wall-clock time of the first request, comparable across processes (benchmarks start their clock here).
  out({ event: 'ready', clients: clients.length, wallClockMs: performance.timeOrigin + performance.now() });
  const started = performance.now();
  let last = started;
  const outcomes = await sim.run(clients, {
    timeoutMs: input.timeoutMs ?? 30_000,
    concurrency: input.concurrency,
    onAck: (o) => {
      last = performance.now();
      out({ event: 'ack', mac: o.mac, ip: o.ip, ms: o.ms });
    },
  });
  sim.close();
  const leased = outcomes.filter((o) => o.ip).length;
  out({ event: 'done', leased, total: clients.length, elapsedMs: last - started, outcomes });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inNetns, ip } from './netns.js';
import { REPO } from './walt-processes.js';

/** The built DHCP client simulator of the SDK's test kit (packages/sdk/src/testing/dhcp-simulator-cli.ts). */
export const DHCP_SIMULATOR = join(REPO, 'packages/sdk/dist/testing/dhcp-simulator-cli.js');

/** What udhcpc's script saw when bound (its environment: ip, router, hostname, boot_file, siaddr...). */
export type UdhcpcLease = Record<string, string>;

/**
 * busybox udhcpc in a client namespace: one lease, then exit (-q), 5 tries 1 s apart. Resolves with
 * the variables of the `bound` event; rejects when no lease was obtained.
 */
export function udhcpc(ns: string, ifname: string, options: { vendorClass?: string; extra?: string[] } = {}): UdhcpcLease {
  const dir = mkdtempSync(join(tmpdir(), 'walt-udhcpc-'));
  const script = join(dir, 'script');
  // Print the environment of the bound event only; -q leaves the interface unconfigured afterwards.
  writeFileSync(script, '#!/bin/sh\n[ "$1" = bound ] || exit 0\nfor v in ip subnet router hostname boot_file siaddr sname tftp dns domain broadcast lease serverid; do eval "echo LEASE $v=\\$$v"; done\n');
  chmodSync(script, 0o755);
  const args = ['udhcpc', '-i', ifname, '-f', '-q', '-n', '-t', '5', '-T', '1', '-s', script];
  if (options.vendorClass) args.push('-V', options.vendorClass);
  args.push(...(options.extra ?? []));
  const out = inNetns(ns, 'busybox', args, 30_000);
  const lease: UdhcpcLease = {};
  for (const line of out.split('\n')) {
    const m = /^LEASE (\w+)=(.*)$/.exec(line);
    if (m) lease[m[1]] = m[2];
  }
  if (!lease.ip) throw new Error(`udhcpc got no lease:\n${out}`);
  return lease;
}

/** An event line of the simulator. */
export interface SimulatorEvent {
  event: 'ready' | 'sent' | 'ack' | 'done';
  [key: string]: unknown;
}

export interface SimulatorRun {
  process: ChildProcess;
  events: SimulatorEvent[];
  /** Resolves with the last event ('done') or rejects when the process fails. */
  done: Promise<SimulatorEvent>;
  /** Called on each event. */
  onEvent(listener: (e: SimulatorEvent) => void): void;
}

/**
 * Prepare a client namespace for the simulator: an address on walt-net (replies are broadcast to
 * walt-net's broadcast address, which only an interface of that subnet accepts) and a route for
 * 255.255.255.255 (requests go there).
 */
export function prepareSimulatorNamespace(ns: string, ifname: string, cidr: string): void {
  ip('-n', ns, 'addr', 'add', cidr, 'dev', ifname);
  ip('-n', ns, 'route', 'add', '255.255.255.255/32', 'dev', ifname);
}

/** Run the simulator in a namespace; see dhcp-simulator-cli.ts for the input. */
export function runSimulator(ns: string, input: Record<string, unknown>, timeoutMs = 120_000): SimulatorRun {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, DHCP_SIMULATOR, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: SimulatorEvent[] = [];
  const listeners: Array<(e: SimulatorEvent) => void> = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<SimulatorEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`DHCP simulator timed out: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as SimulatorEvent;
        events.push(e);
        for (const l of listeners) l(e);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = events[events.length - 1];
      if (last?.event === 'done') resolve(last);
      else reject(new Error(`DHCP simulator exited with ${code}: ${stderr}`));
    });
  });
  return { process: child, events, done, onEvent: (l) => listeners.push(l) };
}

import { createServer, type Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';
import { openDatabase } from '../../../packages/core/src/store/database.js';
import { DevicesRepository } from '../../../packages/core/src/store/devices-repository.js';

/** Call the server's HTTP API as `user` (the CLI's transport, for setup steps the CLI has no command for). */
export async function api<T = unknown>(server: ServerHandle, method: string, path: string, body?: unknown, user = 'alice'): Promise<T> {
  const res = await fetch(`http://${server.address}${path}`, {
    method,
    headers: { ...(await authHeaders(server.address, user)), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${json.error?.message ?? ''}`);
  return json;
}

/** Register a device through the registration entry point (what DHCP does on a lease). */
export async function registerDevice(server: ServerHandle, mac: string, ip: string, model?: string): Promise<{ name: string; type: string }> {
  const r = await api<{ device: { name: string; type: string } }>(server, 'POST', '/api/v1/devices/register', {
    mac,
    ip,
    ...(model ? { vendorClass: `walt.node.${model}` } : {}),
  });
  return r.device;
}

export async function deviceNamed(server: ServerHandle, mac: string): Promise<{ name: string; type: string; ip: string | null } | undefined> {
  const { devices } = await api<{ devices: Array<{ mac: string; name: string; type: string; ip: string | null }> }>(server, 'GET', '/api/v1/devices');
  return devices.find((d) => d.mac === mac);
}

/** A fake node service on <ip>:12346 answering the soft reboot protocol. */
export function fakeNodeService(ip: string, reply: string): Promise<{ close(): Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((socket) => {
    let data = '';
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('REBOOT\n')) {
        requests.push(data);
        socket.end(reply);
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(12346, ip, () => resolve({ requests, close: () => new Promise((r) => server.close(() => r())) }));
  });
}

/** Replace the scan age so a tree can be compared exactly. */
export function normalizeScanAge(text: string): string {
  return text.replace(/issued .*? ago/, 'issued <delay> ago');
}

/**
 * A data dir whose store already holds these nodes (free, on their model's default image), as if
 * they had booted once: node registration itself (DHCP, default image download) is another
 * subsystem's, and its outcome depends on the image store present.
 */
export function dataDirWithNodes(nodes: Array<{ mac: string; ip: string; model?: string }>): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'walt-sw-test-'));
  const db = openDatabase(join(dataDir, 'walt.db'));
  const repo = new DevicesRepository(db);
  for (const n of nodes) {
    const model = n.model ?? 'rpi-3-b-plus';
    repo.insert({
      mac: n.mac,
      ip: n.ip,
      name: `node-${n.mac.split(':').slice(3).join('')}`,
      type: 'node',
      virtual: false,
      model,
      image: `waltplatform/${model}-default:latest`,
      conf: {},
      createdAt: Date.now() / 1000,
    });
  }
  db.close();
  return dataDir;
}

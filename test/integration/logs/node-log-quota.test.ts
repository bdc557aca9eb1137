import { connect } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

const LOUD = { mac: '02:00:00:aa:14:01', ip: '127.0.0.41' };
const QUIET = { mac: '02:00:00:aa:14:02', ip: '127.0.0.42' };
const MIB = 1024 * 1024;

/** Send lines over the node log channel from a node's address; resolves on the server's answer. */
function sendLines(from: string, tcpPort: number, stream: string, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const s = connect({ host: '127.0.0.1', port: tcpPort, localAddress: from }, () => {
      s.write(`REQ_NEW_INCOMING_LOGS\n${stream}\nNO_TIMESTAMPS\n`);
      for (const l of lines) s.write(`${l}\n`);
      s.write('CLOSE\n');
    });
    s.on('data', (d) => (answer += d));
    s.on('close', () => resolve(answer));
    s.on('error', reject);
  });
}

/** Issue 14 item 5: a node's stored log lines are capped by logs.node-quota-mib, oldest dropped first. */
describe('per-node disk quota of stored log lines, in a running server', () => {
  let server: ServerHandle;
  let tcpPort: number;
  const query = <T>(sql: string, ...args: unknown[]): T => {
    const db = new Database(join(server.dataDir, 'walt.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).get(...args) as T;
    } finally {
      db.close();
    }
  };
  const stored = (mac: string) =>
    query<{ chars: number; n: number; first: string | null }>(
      `SELECT coalesce(sum(length(line)), 0) AS chars, count(*) AS n, min(line) AS first FROM logs WHERE stream_id IN (SELECT id FROM logstreams WHERE issuer_mac = ?)`,
      mac,
    );

  beforeAll(async () => {
    server = await startServer({ config: 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\nlogs:\n  node-quota-mib: 1\n' });
    tcpPort = ((await (await fetch(`http://${server.address}/api/v1/logs/ingestion`, { headers: await authHeaders(server.address, 'alice') })).json()) as { tcpPort: number }).tcpPort;
    for (const n of [LOUD, QUIET]) {
      const r = await fetch(`http://${server.address}/api/v1/devices/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await authHeaders(server.address, 'alice')) },
        body: JSON.stringify({ mac: n.mac, ip: n.ip, vendorClass: 'walt.node.pc-x86-64' }),
      });
      expect(r.status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('keeps a node under its quota by dropping its oldest lines, leaves the other node alone, and says so once', async () => {
    expect(await sendLines(QUIET.ip, tcpPort, 'quiet', ['q1', 'q2', 'q3'])).toBe('OK\n');
    // 3 MiB from one node, in three connections.
    for (let c = 0; c < 3; c++) {
      const lines = Array.from({ length: 1024 }, (_, i) => `${String(c * 1024 + i).padStart(6, '0')} ${'x'.repeat(1016)}`);
      expect(await sendLines(LOUD.ip, tcpPort, 'loud', lines)).toBe('OK\n');
    }
    let loud = stored(LOUD.mac);
    for (let i = 0; i < 100 && loud.chars + 32 * loud.n > MIB; i++) {
      await new Promise((r) => setTimeout(r, 100));
      loud = stored(LOUD.mac);
    }
    expect(loud.chars + 32 * loud.n).toBeLessThanOrEqual(MIB);
    expect(loud.n).toBeGreaterThan(700);
    expect(loud.first! > '000000').toBe(true); // the oldest went first
    expect(stored(QUIET.mac).n).toBe(3);
    const said = query<{ n: number }>(
      `SELECT count(*) AS n FROM logs l JOIN logstreams s ON s.id = l.stream_id WHERE s.name = 'platform.logs' AND l.line LIKE '% is over its log quota (1 MiB, config key logs.node-quota-mib)%'`,
    );
    expect(said.n).toBe(1);
  });
});

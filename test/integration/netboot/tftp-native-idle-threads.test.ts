import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO } from '../../helpers/walt-processes.js';

/**
 * The native sender's event threads cost nothing while no transfer runs: walt-server starts 32 of
 * them (docs/decisions/0012), and each used to wake every 50 ms to check timeouts, transfers or not
 * (32 threads: about 640 wake-ups a second on an idle server). Run in a child process, since the
 * thread count is process-wide and set once: 32 threads, one transfer to a local socket that
 * acknowledges it, then the voluntary context switches of every thread of the process over 2 s.
 */
const CHILD = String.raw`
const { createRequire } = require('node:module');
const { createSocket } = require('node:dgram');
const { readdirSync, readFileSync } = require('node:fs');
const addon = createRequire(process.argv[1] + '/')('@walt/tftp-native');
addon.configure({ maxSpinning: 1, threads: 32 });
const switches = () => readdirSync('/proc/self/task').reduce((sum, tid) => {
  try { return sum + Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync('/proc/self/task/' + tid + '/status', 'utf8'))[1]); } catch { return sum; }
}, 0);
const client = createSocket('udp4');
client.on('message', (m, from) => {
  // DATA block n -> ACK block n
  if (m.readUInt16BE(0) === 3) client.send(Buffer.from([0, 4, m[2], m[3]]), from.port, from.address);
});
client.bind(0, '127.0.0.1', () => {
  addon.send({ bytes: Buffer.from('hello'), size: 5, blockSize: 512, windowSize: 1, timeoutMs: 1000, localAddress: '127.0.0.1', peerAddress: '127.0.0.1', peerPort: client.address().port }, (outcome) => {
    client.close();
    setTimeout(() => {
      const before = switches();
      const threads = readdirSync('/proc/self/task').length;
      setTimeout(() => {
        console.log(JSON.stringify({ outcome: outcome.status, threads, switches: switches() - before }));
        process.exit(0);
      }, 2000);
    }, 300);
  });
});
`;

// The addon is optional (built by npm install when a C toolchain is there).
describe.skipIf(skipUnless({ files: [join(REPO, 'packages/tftp-native/build/Release/tftp_sender.node')] }))('native TFTP sender: idle event threads', () => {
  it('32 idle event threads make (almost) no wake-ups after a transfer', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', CHILD, join(REPO, 'packages', 'core')], { timeout: 30_000 });
    const r = JSON.parse(stdout) as { outcome: string; threads: number; switches: number };
    console.log(`idle for 2 s after a transfer: ${r.switches} voluntary context switches over ${r.threads} threads`);
    expect(r.outcome).toBe('sent');
    expect(r.threads).toBeGreaterThanOrEqual(32);
    // Before: about 1,300 in 2 s (32 threads x 20 ticks a second); now what Node's own threads do.
    expect(r.switches).toBeLessThan(300);
  }, 60_000);
});

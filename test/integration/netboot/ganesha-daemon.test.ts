import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ip } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO } from '../../helpers/walt-processes.js';

const NS = `${(process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1)}wganesha`;

/**
 * The nfs-ganesha (and rpcbind) walt-server starts die with it, even when the server is killed with
 * SIGKILL. They did not: a leftover rpcbind holds /run/rpcbind.lock and no later rpcbind can start.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'ganesha.nfsd', 'rpcbind', 'pgrep'] }))('nfs-ganesha run by walt-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-ganesha-daemon-'));
  afterAll(() => {
    try {
      ip('netns', 'del', NS);
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves NFS on port 2049, and ends with the server even after SIGKILL', async () => {
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    const module = join(REPO, 'packages/core/dist/network/nfs/ganesha-daemon.js');
    const opts = JSON.stringify({ dir: join(dir, 'nfs'), exportsFile: join(dir, 'nfs', 'exports.conf'), pidFile: join(dir, 'nfs', 'ganesha.pid') });
    const script =
      `import { GaneshaDaemon } from ${JSON.stringify(module)}; import { execFileSync } from 'node:child_process';` +
      `const d = new GaneshaDaemon({ ...${opts}, log: (l) => console.log(l) }); await d.start();` +
      `console.log('children:', execFileSync('pgrep', ['-f', ${JSON.stringify(dir)}], { encoding: 'utf8' }).trim().split('\\n').length);` +
      `process.kill(process.pid, 'SIGKILL');`;
    let out = '';
    try {
      execFileSync('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '');
    }
    expect(out).toContain('NFS server: nfs-ganesha');
    expect(out).toMatch(/children: [1-9]/);
    let left = 'x';
    for (let i = 0; i < 40 && left; i++) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        left = execFileSync('pgrep', ['-af', join(dir, 'nfs')], { encoding: 'utf8' }).trim();
      } catch {
        left = '';
      }
    }
    expect(left).toBe('');
  }, 90_000);

  it('comes back when nfs-ganesha dies (nodes hang on it), saying so', () => {
    const module = join(REPO, 'packages/core/dist/network/nfs/ganesha-daemon.js');
    const nfsDir = join(dir, 'nfs2');
    const opts = JSON.stringify({ dir: nfsDir, exportsFile: join(nfsDir, 'exports.conf'), pidFile: join(nfsDir, 'ganesha.pid') });
    const script =
      `import { GaneshaDaemon } from ${JSON.stringify(module)}; import { readFileSync } from 'node:fs';` +
      `let started = 0; const d = new GaneshaDaemon({ ...${opts}, log: (l) => { console.log(l); if (l.startsWith('NFS server')) started++; } }); await d.start();` +
      `process.kill(Number(readFileSync(${JSON.stringify(join(nfsDir, 'ganesha.pid'))}, 'utf8')), 'SIGKILL');` +
      `const end = Date.now() + 40000; while (started < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));` +
      `d.stop();`;
    const out = execFileSync('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    const lines = out.trim().split('\n');
    expect(lines[1]).toMatch(/^nfs-ganesha exited \(SIGKILL\); see .*ganesha\.log; restarting it in 5 s$/);
    expect(lines[2]).toMatch(/^NFS server: nfs-ganesha/);
  }, 90_000);
});

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ip } from '../../helpers/netns.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO } from '../../helpers/walt-processes.js';

const NS = `${(process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1)}wganesha`;
const NS_OTHER = `${(process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1)}wganesh2`;

/**
 * The nfs-ganesha (and rpcbind) walt-server starts die with it, even when the server is killed with
 * SIGKILL. They did not: a leftover rpcbind holds /run/rpcbind.lock and no later rpcbind can start.
 */
describe.skipIf(skipUnless({ root: true, commands: ['ip', 'ganesha.nfsd', 'rpcbind', 'rpcinfo', 'unshare', 'nsenter', 'ss', 'pgrep'] }))('nfs-ganesha run by walt-server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-ganesha-daemon-'));
  afterAll(() => {
    for (const ns of [NS, NS_OTHER]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves NFS on port 2049, and ends with the server even after SIGKILL', async () => {
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    const module = join(REPO, 'packages/core/dist/network/nfs/ganesha-daemon.js');
    const opts = JSON.stringify({ dir: join(dir, 'nfs'), exportsFile: join(dir, 'nfs', 'exports.conf'), pidFile: join(dir, 'nfs', 'ganesha.pid') });
    const script =
      `import { GaneshaDaemon } from ${JSON.stringify(module)}; import { execFileSync, spawn } from 'node:child_process';` +
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

  it("another server's ganesha starting and stopping in another namespace leaves this server's NFS and mountd registered with its own rpcbind", async () => {
    // They were not: rpcbind's socket is in /run, shared by every namespace, so the other ganesha
    // (un)registered its ports with this server's rpcbind and this server's nodes found no mountd.
    for (const ns of [NS, NS_OTHER]) {
      try {
        ip('netns', 'add', ns);
      } catch {
        /* made by the first test */
      }
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    const module = join(REPO, 'packages/core/dist/network/nfs/ganesha-daemon.js');
    const daemonScript = (nfsDir: string, then: string) =>
      `import { GaneshaDaemon } from ${JSON.stringify(module)};` +
      `const d = new GaneshaDaemon({ dir: ${JSON.stringify(nfsDir)}, exportsFile: ${JSON.stringify(join(nfsDir, 'exports.conf'))}, pidFile: ${JSON.stringify(join(nfsDir, 'ganesha.pid'))}, log: (l) => console.log(l) });` +
      `await d.start(); ${then}`;
    // This server: runs until its stdin closes.
    const mine = spawn('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', daemonScript(join(dir, 'mine'), "console.log('READY'); process.stdin.resume(); process.stdin.on('end', () => { d.stop(); process.exit(0); });")], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      let out = '';
      mine.stdout!.on('data', (b) => (out += b));
      for (let i = 0; i < 120 && !out.includes('READY'); i++) await new Promise((r) => setTimeout(r, 500));
      expect(out).toContain('READY');
      // The other server starts its rpcbind and ganesha, then stops them.
      const other = execFileSync('ip', ['netns', 'exec', NS_OTHER, process.execPath, '--input-type=module', '-e', daemonScript(join(dir, 'other'), 'd.stop();')], { encoding: 'utf8', timeout: 60_000 });
      expect(other).toContain('NFS server: nfs-ganesha');
      await new Promise((r) => setTimeout(r, 2000));
      // A node's NFSv3 mount asks this rpcbind for mountd and nfs over TCP, then calls them: both answer.
      const call = (prog: string) => execFileSync('ip', ['netns', 'exec', NS, 'rpcinfo', '-t', '127.0.0.1', prog, '3'], { encoding: 'utf8', timeout: 20_000 });
      expect(call('mountd')).toMatch(/ready and waiting/);
      expect(call('nfs')).toMatch(/ready and waiting/);
      // ganesha has a /run of its own, but sees what the server mounts after its start (the image views it exports).
      const ganesha = readFileSync(join(dir, 'mine', 'ganesha.pid'), 'utf8').trim();
      const server = String(mine.pid); // ip netns exec execs node: the same PID, in the server's mount namespace
      const late = join(dir, 'late-mount');
      mkdirSync(late, { recursive: true });
      execFileSync('nsenter', ['-t', server, '-m', 'sh', '-c', `mount -t tmpfs walt-late ${late} && echo seen > ${late}/file`]);
      try {
        expect(execFileSync('nsenter', ['-t', ganesha, '-m', 'cat', join(late, 'file')], { encoding: 'utf8' })).toBe('seen\n');
        expect(execFileSync('nsenter', ['-t', ganesha, '-m', 'ls', '/run'], { encoding: 'utf8' }).split('\n')).toContain('rpcbind.sock');
      } finally {
        execFileSync('nsenter', ['-t', server, '-m', 'umount', late]);
      }
    } finally {
      mine.stdin!.end();
      await new Promise((r) => (mine.exitCode !== null ? r(null) : mine.once('exit', r)));
    }
  }, 120_000);

  /**
   * rpcbind's lock and local socket are in /run, shared by every network namespace: the second
   * server's rpcbind could not start and its ganesha registered mountd with the first server's
   * rpcbind, so the second server's nodes found no mount service (their NFS root never mounted).
   * The two servers share a /run of their own here, as on a fresh machine (other servers running
   * on this one would own the machine's /run/rpcbind.sock).
   */
  it("two servers in two network namespaces: each one's mountd is registered with the portmapper of its own namespace", () => {
    const module = join(REPO, 'packages/core/dist/network/nfs/ganesha-daemon.js');
    const servers = ['a', 'b'].map((n) => ({ ns: `${NS}2${n}`, dir: join(dir, `two-${n}`) }));
    for (const { ns } of servers) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    // Each server: start, wait for the other, then ask its own namespace's portmapper over TCP (from a
    // /run without any rpcbind socket) and say which ganesha listens on the mountd port it names.
    const script = (d: string, other: string) =>
      `import { GaneshaDaemon } from ${JSON.stringify(module)}; import { execFileSync } from 'node:child_process'; import { existsSync, readFileSync, writeFileSync } from 'node:fs';` +
      `const d = new GaneshaDaemon({ dir: ${JSON.stringify(d)}, exportsFile: ${JSON.stringify(join(d, 'exports.conf'))}, pidFile: ${JSON.stringify(join(d, 'ganesha.pid'))}, log: (l) => console.log(l) });` +
      `await d.start(); writeFileSync(${JSON.stringify(`${d}.started`)}, '');` +
      `for (let i = 0; i < 300 && !existsSync(${JSON.stringify(`${other}.started`)}); i++) await new Promise((r) => setTimeout(r, 100));` +
      `const map = execFileSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs walt-test /run && rpcinfo -p 127.0.0.1'], { encoding: 'utf8' });` +
      `const port = /^\\s*100005\\s+3\\s+tcp\\s+(\\d+)\\s+mountd$/m.exec(map)?.[1];` +
      `const ganesha = readFileSync(${JSON.stringify(join(d, 'ganesha.pid'))}, 'utf8').trim();` +
      `const listener = port ? execFileSync('ss', ['-ltnpH', 'sport = :' + port], { encoding: 'utf8' }) : '';` +
      `console.log('MOUNTD ' + (port ? (listener.includes('pid=' + ganesha + ',') ? 'own' : 'other') : 'none'));` +
      `await new Promise((r) => setTimeout(r, 1000)); d.stop();`;
    const [a, b] = servers;
    const wrapper =
      `exec 7</run/netns/${a.ns} 8</run/netns/${b.ns}; mount -t tmpfs walt-test-run /run || exit 125; ` +
      `nsenter --net=/proc/self/fd/7 "$0" --input-type=module -e "$1" > ${join(dir, 'two-a.out')} 2>&1 & ` +
      `nsenter --net=/proc/self/fd/8 "$0" --input-type=module -e "$2" > ${join(dir, 'two-b.out')} 2>&1 & wait`;
    try {
      execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', wrapper, process.execPath, script(a.dir, b.dir), script(b.dir, a.dir)], { timeout: 90_000 });
      for (const n of ['a', 'b']) {
        const out = readFileSync(join(dir, `two-${n}.out`), 'utf8');
        expect(out, out).toContain('NFS server: nfs-ganesha');
        expect(out, out).toContain('MOUNTD own');
      }
    } finally {
      for (const { ns } of servers) {
        try {
          ip('netns', 'del', ns);
        } catch {
          /* gone */
        }
      }
    }
  }, 120_000);
});

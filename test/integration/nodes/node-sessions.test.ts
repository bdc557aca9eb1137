import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_NODE_COMMANDS, startNamespaceNodes, type NamespaceNodes } from '../../helpers/namespace-nodes.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { REPO, WALT_BIN } from '../../helpers/walt-processes.js';

const NODES = Number(process.env.WALT_TEST_NAMESPACE_NODES ?? 50);
const MAX_RSS = join(REPO, 'test/helpers/max-rss.mjs');

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

const skip = skipUnless({ root: true, commands: [...NAMESPACE_NODE_COMMANDS, 'tmux', 'python3'] });

describe.skipIf(skip)('walt node run/cp/shell on namespace nodes running sshd (the server holds the SSH connections)', () => {
  let nodes: NamespaceNodes;
  let work: string;
  let first: string;

  /** `walt` in the server's namespace (the API listens on its loopback), optionally measuring peak RSS. */
  const walt = (args: string[], options: { timeoutMs?: number; user?: string; rssFile?: string } = {}) =>
    nodes.server.walt(args, { timeoutMs: options.timeoutMs ?? 120_000, user: options.user, env: options.rssFile ? { MAX_RSS_FILE: options.rssFile } : undefined });
  const waltRss = (args: string[], rssFile: string) =>
    new Promise<{ code: number; stderr: string; rssKiB: number }>((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', nodes.network.serverNs, process.execPath, MAX_RSS, WALT_BIN, ...args], {
        env: { ...process.env, WALT_SERVER: nodes.server.address, WALT_USER: 'alice', WALT_CONFIG_FILE: join(nodes.server.dataDir, 'client-config-unused'), MAX_RSS_FILE: rssFile },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stderr, rssKiB: Number(readFileSync(rssFile, 'utf8')) }));
    });

  /** 200 MB of random bytes, made once. */
  const bigFile = () => {
    const big = join(work, 'big.bin');
    if (!existsSync(big)) execFileSync('head', ['-c', String(200 * 1024 * 1024), '/dev/urandom'], { stdio: ['ignore', openOut(big), 'ignore'] });
    return big;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-k-sessions-'));
    nodes = await startNamespaceNodes(NODES, 'nodes', { netService: true });
    first = nodes.names[0];
  }, 300_000);
  afterAll(async () => {
    await nodes?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it(`walt node run over ${NODES} nodes: every line prefixed by its node, exit 0`, async () => {
    const r = await walt(['node', 'run', nodes.names.join(','), 'hostname']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').sort();
    expect(lines).toEqual(nodes.names.map((n) => `${n}: ${n}`).sort());
  });

  it('the exit status comes back: 127 for a missing command, the status of `exit 3`, non-zero when any node failed', async () => {
    const missing = await walt(['node', 'run', first, 'no-such-command-k']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('no-such-command-k');
    const three = await walt(['node', 'run', first, 'exit 3']);
    expect(three.code).toBe(3);
    const two = nodes.names.slice(0, 2);
    const some = await walt(['node', 'run', two.join(','), `[ "$(hostname)" = ${two[1]} ] && exit 4; echo fine`]);
    expect(some.code).toBe(4);
    expect(some.stdout.trim()).toBe(`${two[0]}: fine`);
    expect(some.stderr.trim()).toBe(`Error: the command failed on ${two[1]} (status 4).`);
  });

  it('--term runs the command in a pseudo-terminal', async () => {
    const r = await walt(['node', 'run', '--term', first, 'tty']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+/);
  });

  it('cp a directory to a node and back: contents and permissions kept', async () => {
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'alpha\n');
    writeFileSync(join(dir, 'sub', 'run.sh'), '#!/bin/sh\necho run\n');
    chmodSync(join(dir, 'sub', 'run.sh'), 0o750);
    const to = await walt(['node', 'cp', dir, `${first}:/tmp/k-copied`]);
    expect(to.code, to.stderr).toBe(0);
    const check = await walt(['node', 'run', first, 'stat -c %a /tmp/k-copied/sub/run.sh; cat /tmp/k-copied/a.txt']);
    expect(check.stdout).toBe('750\nalpha\n');
    const back = join(work, 'back');
    const from = await walt(['node', 'cp', `${first}:/tmp/k-copied`, back]);
    expect(from.code, from.stderr).toBe(0);
    expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(statSync(join(back, 'sub', 'run.sh')).mode & 0o777).toBe(0o750);
  });

  it('cp 200 MB to a node and back: same sha256, the client never holds the file (peak RSS measured)', async () => {
    const big = bigFile();
    const want = await sha256(big);
    const to = await waltRss(['node', 'cp', big, `${first}:/tmp/k-big.bin`], join(work, 'rss-to'));
    expect(to.code, `to the node: ${to.stderr}`).toBe(0);
    const remote = await walt(['node', 'run', first, 'sha256sum /tmp/k-big.bin']);
    expect(remote.stdout.split(' ')[0]).toBe(want);
    const back = join(work, 'big-back.bin');
    const from = await waltRss(['node', 'cp', `${first}:/tmp/k-big.bin`, back], join(work, 'rss-from'));
    expect(from.code, `from the node: ${from.stderr}`).toBe(0);
    expect(await sha256(back)).toBe(want);
    console.log(`walt node cp 200 MB: client peak RSS ${Math.round(to.rssKiB / 1024)} MiB (to the node), ${Math.round(from.rssKiB / 1024)} MiB (from it)`);
    // Node itself is ~50-80 MiB; holding the file would add 200 MiB.
    expect(to.rssKiB).toBeLessThan(160 * 1024);
    expect(from.rssKiB).toBeLessThan(160 * 1024);
    await walt(['node', 'run', first, 'rm -f /tmp/k-big.bin']);
    rmSync(back, { force: true });
  }, 300_000);

  it('a client killed mid-transfer leaves nothing under the final name on the node', async () => {
    // The namespace nodes share this machine's file system: the node's /tmp is checked directly.
    const big = bigFile();
    const temporaries = () => readdirSync('/tmp').filter((n) => n.startsWith('.walt-cp.'));
    const before = new Set(temporaries());
    const child = spawn('ip', ['netns', 'exec', nodes.network.serverNs, process.execPath, WALT_BIN, 'node', 'cp', big, `${first}:/tmp/k-killed.bin`], {
      env: { ...process.env, WALT_SERVER: nodes.server.address, WALT_USER: 'alice', WALT_CONFIG_FILE: join(nodes.server.dataDir, 'client-config-unused') },
      stdio: 'ignore',
    });
    // Killed once the transfer is under way: its temporary directory on the node holds data.
    let started = false;
    for (let i = 0; i < 600 && !started; i++) {
      started = temporaries().some((n) => !before.has(n) && readdirSync(join('/tmp', n)).length > 0);
      if (!started) await new Promise((res) => setTimeout(res, 50));
    }
    expect(started).toBe(true);
    child.kill('SIGKILL');
    await new Promise((res) => child.once('close', res));
    let left: string[] = [];
    for (let i = 0; i < 100; i++) {
      left = [...temporaries().filter((n) => !before.has(n)), ...(existsSync('/tmp/k-killed.bin') ? ['k-killed.bin'] : [])];
      if (!left.length) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(left).toEqual([]);
  }, 120_000);

  it('a stream cut at a member boundary (a client killed there) leaves nothing on the node, raw or framed; with the end marker it lands', async () => {
    // One file member of exactly two tar records and none of tar's end blocks: tar -x takes it without
    // a word, so only the client's end marker can tell the node that the copy was complete.
    const file = join(work, 'k-cut.bin');
    writeFileSync(file, Buffer.alloc(20480 - 512, 9));
    const whole = execFileSync('tar', ['-c', '-f', '-', '-C', work, 'k-cut.bin']);
    const cut = join(work, 'k-cut.tar');
    writeFileSync(cut, whole.subarray(0, 20480));
    expect(execFileSync('tar', ['-t', '-f', cut], { encoding: 'utf8' })).toBe('k-cut.bin\n');
    const token = await nodes.server.token('alice');
    const send = (mode: 'raw' | 'framed', marker: 'marker' | 'no-marker') =>
      JSON.parse(nodes.inServerNs(process.execPath, [join(REPO, 'test/helpers/cp-to-session.mjs'), nodes.server.address, token, first, '/tmp', 'k-cut.bin', mode, cut, marker]));
    const temporaries = () => readdirSync('/tmp').filter((n) => n.startsWith('.walt-cp.'));
    const before = new Set(temporaries());
    for (const mode of ['raw', 'framed'] as const) {
      const got = send(mode, 'no-marker');
      // The server has OpenSSH's ssh: it accepts raw stdin when asked (plain TCP here).
      expect(got.raw, JSON.stringify(got)).toBe(mode === 'raw');
      expect(got.status, JSON.stringify(got)).not.toBe(0);
      expect(got.stderr).toMatch(/cut short/);
      expect(existsSync('/tmp/k-cut.bin')).toBe(false);
      expect(temporaries().filter((n) => !before.has(n))).toEqual([]);
    }
    for (const mode of ['raw', 'framed'] as const) {
      const got = send(mode, 'marker');
      expect(got, JSON.stringify(got)).toMatchObject({ raw: mode === 'raw', status: 0 });
      expect(readFileSync('/tmp/k-cut.bin').equals(readFileSync(file))).toBe(true);
      rmSync('/tmp/k-cut.bin');
    }
  }, 120_000);

  it('bad input: one line and a non-zero exit', async () => {
    const unknown = await walt(['node', 'cp', `${first}:/no/such/file`, work]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('Error: no such file or directory on the node: /no/such/file');
    const local = await walt(['node', 'cp', join(work, 'nope'), `${first}:/tmp`]);
    expect(local.stderr.trim()).toBe(`Error: no such file or directory: ${join(work, 'nope')}`);
    writeFileSync(join(work, 'k-file'), 'x');
    await walt(['node', 'run', first, 'mkdir -p /tmp/k-dir/k-file']);
    const over = await walt(['node', 'cp', join(work, 'k-file'), `${first}:/tmp/k-dir`]);
    expect(over.code).not.toBe(0);
    expect(over.stderr.trim()).toBe("Error: cannot overwrite directory '/tmp/k-dir/k-file' with a file");
    const both = await walt(['node', 'cp', join(work, 'k-file'), join(work, 'k-file2')]);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    const several = await walt(['node', 'shell', nodes.names.slice(0, 2).join(',')]);
    expect(several.stderr.trim()).toBe('Error: this command must target 1 node only.');
    const noNode = await walt(['node', 'run', 'no-such-node', 'true']);
    expect(noNode.code).not.toBe(0);
    expect(noNode.stderr.trim().split('\n')).toHaveLength(1);
    const blink = await walt(['node', 'blink', first, 'soon']);
    expect(blink.stderr.trim()).toBe('Error: <duration> must be an integer (number of seconds).');
    // This server's images are a folder: walt node save needs an engine to build on.
    const save = await walt(['node', 'save', first, 'k-saved']);
    expect(save.code).not.toBe(0);
    expect(save.stderr.trim()).toBe("Error: walt node save needs an image engine (images.engine-socket), not an image folder (see 'walt help show node-save').");
  });

  it('a node that has not booted: "not booted yet; see walt node wait"', async () => {
    const mac = '02:00:00:4b:01:00';
    const auth = `authorization: Bearer ${await nodes.server.token('alice')}`;
    nodes.inServerNs('curl', ['-sS', '-X', 'POST', '-H', 'content-type: application/json', '-H', auth, '-d', JSON.stringify({ mac, ip: '192.168.152.250', vendorClass: 'walt.node.pc-x86-64' }), `http://${nodes.server.address}/api/v1/devices/register`]);
    const r = await walt(['node', 'run', 'node-4b0100', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe("Error: node-4b0100 is not booted yet; see 'walt node wait node-4b0100'.");
  });

  it('walt node expose: a local port forwarded to the node through the server', async () => {
    const ns = nodes.namespaces[0];
    const listener = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', 'import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 7777)); s.listen()\nwhile True:\n  c,_=s.accept(); c.sendall(b"k-exposed " + c.recv(100)); c.close()'], { stdio: 'ignore' });
    const expose = spawn('ip', ['netns', 'exec', nodes.network.serverNs, process.execPath, WALT_BIN, 'node', 'expose', first, '7777', '17777'], {
      env: { ...process.env, WALT_SERVER: nodes.server.address, WALT_USER: 'alice', WALT_CONFIG_FILE: join(nodes.server.dataDir, 'client-config-unused') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      expose.stdout.on('data', (d) => (out += d));
      for (let i = 0; i < 200 && !out.includes('Listening'); i++) await new Promise((res) => setTimeout(res, 100));
      expect(out.trim()).toBe(`Listening on TCP port 17777 and redirecting connections to ${first}:7777.`);
      await new Promise((res) => setTimeout(res, 500)); // the node's listener is up
      const got = nodes.inServerNs('bash', ['-c', 'exec 3<>/dev/tcp/127.0.0.1/17777; printf hello >&3; cat <&3']);
      expect(got).toBe('k-exposed hello');
      const bad = await walt(['node', 'expose', first, '70000', '17778']);
      expect(bad.stderr.trim()).toBe("Error: <node-port> must be a TCP port number (1 to 65535), not '70000'.");
    } finally {
      expose.kill('SIGINT');
      listener.kill('SIGKILL');
    }
  });

  it('walt device shell: ssh to a device that is not a node, through the server', async () => {
    const device = nodes.addSshDevice();
    const show = await walt(['device', 'show', '--json']);
    const name = (JSON.parse(show.stdout) as { name: string; ip: string }[]).find((d) => d.ip === '192.168.152.200')?.name ?? device;
    const r = await nodes.server.walt(['device', 'shell', '--user', 'root', name], { input: 'echo dev-$((6*7))\nexit 7\n', timeoutMs: 40_000 });
    expect(r.stdout).toContain('dev-42');
    expect(r.code, r.stderr).toBe(7);
    const node = await walt(['device', 'shell', '--user', 'root', first]);
    expect(node.stderr.trim()).toBe(`Error: ${first} is a node. Use 'walt node shell ${first}' instead.`);
  }, 120_000);

  it("walt node blink through the node's own net service; walt node ping from the server", async () => {
    // The node's /bin/blink (in its writable layer) records each request.
    const setup = await walt(['node', 'run', first, `printf '#!/bin/sh\\necho "$1" >> /run/walt/blink-log\\n' > /bin/blink && chmod 755 /bin/blink`]);
    expect(setup.code, setup.stderr).toBe(0);
    const blink = await walt(['node', 'blink', first, '1']);
    expect(blink.code, blink.stderr).toBe(0);
    expect(blink.stdout).toBe('blinking for 1s... done.\n');
    const log = await walt(['node', 'run', first, 'cat /run/walt/blink-log']);
    expect(log.stdout.trim().split('\n')).toEqual(['1', '0']);
    // A node whose image has no /bin/blink: said by its net service, in one line.
    const other = nodes.names[1];
    const none = await walt(['node', 'blink', other, '1']);
    expect(none.code).not.toBe(0);
    expect(none.stderr.trim()).toBe(`Error: ${other}: blink request failed (blink not supported on this node).`);
    const ping = await walt(['node', 'ping', first]);
    expect(ping.code, ping.stderr).toBe(0);
    expect(ping.stdout).toMatch(/3 packets transmitted, 3 received/);
    const noPing = await walt(['node', 'ping', 'no-such-node']);
    expect(noPing.code).not.toBe(0);
    expect(noPing.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('walt device shell --user: the password prompt of a device that takes passwords; a wrong one is one line', async () => {
    nodes.addSshDevice({ passwordUser: { user: 'tdev', password: 'tsecret1' } });
    const show = await walt(['device', 'show', '--json']);
    const name = (JSON.parse(show.stdout) as { name: string; ip: string }[]).find((d) => d.ip === '192.168.152.201')!.name;
    const r = await nodes.server.walt(['device', 'shell', '--user', 'tdev', name], { input: 'tsecret1\necho dev-$((6*7)) $(id -un)\nexit 4\n', timeoutMs: 40_000 });
    expect(r.stdout).toContain(`tdev@${name}'s password: `);
    expect(r.stdout).not.toContain('tsecret1');
    expect(r.stdout).toContain('dev-42 tdev');
    expect(r.code, r.stderr).toBe(4);
    const wrong = await nodes.server.walt(['device', 'shell', '--user', 'tdev', name], { input: 'wrong\n', timeoutMs: 40_000 });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim()).toBe(`Error: ${name}: SSH authentication failed for user tdev`);
  }, 120_000);

  it('walt node shell through tmux: runs a command, exits with its status; a server stopped mid-session is said so', async () => {
    const session = `k-shell-${process.pid}`;
    const status = join(work, 'shell-status');
    const cmd = `ip netns exec ${nodes.network.serverNs} env WALT_SERVER=${nodes.server.address} WALT_USER=alice WALT_CONFIG_FILE=${join(nodes.server.dataDir, 'client-config-unused')} ${process.execPath} ${WALT_BIN} node shell ${first}; echo $? > ${status}; sleep 30`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', cmd]);
    const pane = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    const waitFor = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 150; i++) {
        if (what()) return;
        await new Promise((res) => setTimeout(res, 200));
      }
      throw new Error(`${label} never came; pane:\n${pane()}`);
    };
    try {
      await waitFor(() => /[#$]\s*$/m.test(pane()), 'the prompt');
      execFileSync('tmux', ['send-keys', '-t', session, 'echo k-$((6*7)) $(hostname); stty size', 'Enter']);
      await waitFor(() => pane().includes(`k-42 ${first}`), 'the output');
      expect(pane()).toContain('30 120');
      // The terminal resized (SIGWINCH in the client): the remote pty follows.
      execFileSync('tmux', ['resize-window', '-t', session, '-x', '100', '-y', '25']);
      execFileSync('tmux', ['send-keys', '-t', session, 'clear; stty size', 'Enter']);
      await waitFor(() => /^25 100\s*$/m.test(pane()), 'the new size');
      execFileSync('tmux', ['send-keys', '-t', session, 'exit 5', 'Enter']);
      await waitFor(() => existsSync(status), 'the exit');
      expect(readFileSync(status, 'utf8').trim()).toBe('5');
    } finally {
      execFileSync('tmux', ['kill-session', '-t', session]);
    }
    // Last (it stops the server): a shell whose server goes away says so and exits non-zero.
    const lost = `k-lost-${process.pid}`;
    const lostStatus = join(work, 'lost-status');
    const lostCmd = cmd.replace(`echo $? > ${status}`, `echo $? > ${lostStatus}`);
    execFileSync('tmux', ['new-session', '-d', '-s', lost, '-x', '120', '-y', '30', lostCmd]);
    const lostPane = () => execFileSync('tmux', ['capture-pane', '-p', '-t', lost], { encoding: 'utf8' });
    try {
      for (let i = 0; i < 150 && !/[#$]\s*$/m.test(lostPane()); i++) await new Promise((res) => setTimeout(res, 200));
      await nodes.server.stop();
      for (let i = 0; i < 100 && !existsSync(lostStatus); i++) await new Promise((res) => setTimeout(res, 100));
      expect(lostPane()).toContain('Error: connection to the WalT server was lost');
      expect(readFileSync(lostStatus, 'utf8').trim()).not.toBe('0');
    } finally {
      execFileSync('tmux', ['kill-session', '-t', lost]);
    }
  }, 120_000);
});

function openOut(file: string): number {
  return openSync(file, 'w');
}

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_NODE_COMMANDS, startNamespaceNodes, type NamespaceNodes } from '../../helpers/namespace-nodes.js';
import { skipUnless } from '../../helpers/prerequisites.js';
import { ENGINE, engineHas, localRegistryYaml, needsEngine, nodeImageMissing, podmanCli, uniqueSuffix } from '../images/images-test-kit.js';


/** A file of an engine image, read by a throw-away container. */
function inImage(ref: string, script: string): string {
  return podmanCli(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', ref, '-c', script]).trim();
}

/**
 * `walt node save` on a namespace node whose /etc and /root are a writable layer (as the tmpfs
 * overlay of a real node's root), with the server on the podman service and the node booting the
 * real pc-x86-64 image: the files changed on the node end up in the new image on top of that one,
 * the original's overwrite question is asked, and the node itself is left as it is. Last, the
 * engine goes away (its socket is relayed by the test).
 */
describe.skipIf(skipUnless({ root: true, commands: NAMESPACE_NODE_COMMANDS }) || needsEngine() || nodeImageMissing())('walt node save on a namespace node (podman engine)', () => {
  const s = uniqueSuffix();
  const image = `t-saved-${s}`;
  const ref = `localhost/alice/${image}:latest`;
  let nodes: NamespaceNodes;
  let node: string;
  let work: string;
  let engine: { close: () => Promise<void> };
  const walt = (args: string[], input?: string) => nodes.server.walt(args, { timeoutMs: 300_000, input });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-t-save-'));
    // The node's image (the default of its model: the real pc-x86-64 image) comes from the local registry if the engine lacks it.
    engine = await engineRelay(ENGINE.WALT_TEST_PODMAN_SOCKET, join(work, 'engine.sock'));
    nodes = await startNamespaceNodes(1, 'save', { imagesYaml: `images:\n  engine-socket: ${join(work, 'engine.sock')}\n  view-grace: 1\n${localRegistryYaml()}` });
    node = nodes.names[0];
  }, 900_000);
  afterAll(async () => {
    await nodes?.stop();
    await engine?.close();
    for (const r of [ref]) if (engineHas(r)) podmanCli(['rmi', '--force', r]);
    rmSync(work, { recursive: true, force: true });
  });

  it('saves the files created or modified on the node (modes kept) on top of the image it booted; the node stays up', async () => {
    const change = await walt(['node', 'run', node, `echo t-saved-${s} > /root/t-file && mkdir -p /etc/t-dir/sub && chmod 750 /etc/t-dir && echo x > /etc/t-dir/sub/f && ln -s /root/t-file /etc/t-link`]);
    expect(change.code, change.stderr).toBe(0);
    // The host's own /root and /etc never see it: it is in the node's writable layer.
    expect(existsSync('/root/t-file')).toBe(false);
    expect(existsSync('/etc/t-dir')).toBe(false);
    const r = await walt(['node', 'save', node, image]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`** Analysing changes made on ${node}`);
    expect(r.stdout.trim().split('\n').at(-1)).toBe(`Image ${image} was saved from the changes made on ${node}.`);
    expect(inImage(ref, 'cat /root/t-file; stat -c %a /etc/t-dir; cat /etc/t-dir/sub/f; readlink /etc/t-link')).toBe(`t-saved-${s}\n750\nx\n/root/t-file`);
    // On top of the node's image: its labels (models) and its content are there.
    const labels = podmanCli(['image', 'inspect', '--format', '{{index .Labels "walt.node.models"}}', ref]).trim();
    expect(labels).toBe('pc-x86-64');
    expect(inImage(ref, 'test -d /boot/pc-x86-64 && echo boot')).toBe('boot');
    const show = await walt(['image', 'show', '--names-only']);
    expect(show.stdout.split('\n')).toContain(image);
    // The node was not rebooted: still booted, its change still there.
    const still = await walt(['node', 'run', node, 'cat /root/t-file']);
    expect(still.stdout.trim()).toBe(`t-saved-${s}`);
  }, 600_000);

  it('an image name already taken asks first: n changes nothing, y overwrites', async () => {
    const before = podmanCli(['image', 'inspect', '--format', '{{.Id}}', ref]).trim();
    await walt(['node', 'run', node, 'echo second > /root/t-file']);
    const no = await walt(['node', 'save', node, image], 'n\n');
    expect(no.code).not.toBe(0);
    expect(no.stdout).toContain(`Warning: Image ${image} already exists in your working set: this would overwrite it.`);
    expect(no.stderr.trim()).toBe('Error: Aborted.');
    expect(podmanCli(['image', 'inspect', '--format', '{{.Id}}', ref]).trim()).toBe(before);
    const yes = await walt(['node', 'save', node, image], 'y\n');
    expect(yes.code, yes.stderr).toBe(0);
    expect(inImage(ref, 'cat /root/t-file')).toBe('second');
  }, 600_000);

  it('bad input: one line, a non-zero exit, no image made', async () => {
    const badName = await walt(['node', 'save', node, 'Bad:Name']);
    expect(badName.code).not.toBe(0);
    expect(badName.stderr.trim().split('\n')).toHaveLength(1);
    const notANode = await walt(['node', 'save', 'no-such-node', `t-other-${s}`]);
    expect(notANode.code).not.toBe(0);
    expect(notANode.stderr.trim().split('\n')).toHaveLength(1);
    // A node that is not booted
    const mac = '02:00:00:4b:01:00';
    const auth = `authorization: Bearer ${await nodes.server.token('alice')}`;
    nodes.inServerNs('curl', ['-sS', '-X', 'POST', '-H', 'content-type: application/json', '-H', auth, '-d', JSON.stringify({ mac, ip: '192.168.152.250', vendorClass: 'walt.node.pc-x86-64' }), `http://${nodes.server.address}/api/v1/devices/register`]);
    const down = await walt(['node', 'save', 'node-4b0100', `t-other-${s}`]);
    expect(down.stderr.trim()).toBe("Error: node-4b0100 is not booted yet; see 'walt node wait node-4b0100'.");
    // A node with no writable layer (its tmpfs overlay gone): said, and nothing saved.
    await walt(['node', 'run', node, 'mv /run/walt/rw /run/walt/rw-away']);
    try {
      const noLayer = await walt(['node', 'save', node, `t-other-${s}`]);
      expect(noLayer.code).not.toBe(0);
      expect(noLayer.stderr.trim()).toBe(
        `Error: ${node}: no writable layer at /run/walt/rw/upper (was the node booted by WalT's walt-init?): there are no changes to save (see 'walt help show node-save').`,
      );
    } finally {
      await walt(['node', 'run', node, 'mv /run/walt/rw-away /run/walt/rw']);
    }
    expect(engineHas(`localhost/alice/t-other-${s}:latest`)).toBe(false);
  }, 300_000);

  it('the image engine gone: one line, a non-zero exit', async () => {
    await engine.close();
    const r = await walt(['node', 'save', node, `t-other-${s}`]);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // Not "internal server error: connect ENOENT" (the engine's last ping, a moment before, said it was there).
    expect(lines[0]).toMatch(/^Error: no image engine: nothing answers on \S+engine\.sock .*install podman/);
    expect(engineHas(`localhost/alice/t-other-${s}:latest`)).toBe(false);
  }, 120_000);
});

/** The engine's socket through a relay the test can close (the engine going away while the server runs). */
function engineRelay(target: string, path: string): Promise<{ close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer((c) => {
    const up = connect(target);
    for (const s of [c, up]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => s.destroy());
    }
    c.pipe(up).pipe(c);
  });
  return new Promise((resolve) =>
    server.listen(path, () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of open) s.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}

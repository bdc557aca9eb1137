import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { Terminal } from '../../helpers/tmux-terminal.js';
import { authHeaders, userToken } from '../../helpers/api-token.js';
import { startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';
import { engineHas, engineServerConfig, needsEngine, NODE_IMAGE, nodeImageMissing, podmanCli, removeEngineImages, uniqueSuffix } from './images-test-kit.js';



/**
 * `walt image shell` driven like a person at a terminal (tmux send-keys, capture-pane): a shell in a
 * container of the real node image on the server's podman, the terminal size and Ctrl-C reaching
 * it, then the original's questions: same name (confirm; the node booting it is rebooted), a new
 * name, or ctrl-C to discard.
 */
describe.skipIf(needsEngine() || skipUnless({ commands: ['tmux'] }) || nodeImageMissing())('walt image shell through a terminal', () => {
  const s = uniqueSuffix();
  const user = `sh${s}`;
  let server: ServerHandle;
  /** This server's image shell containers (named with its mark: engine-image-store.ts), one per line. */
  const sessionContainers = () => {
    const owner = createHash('sha256').update(server.dataDir).digest('hex').slice(0, 12);
    return podmanCli(['ps', '-a', '--filter', `name=walt-${owner}-shell-`, '--format', '{{.Names}}']).trim();
  };
  let work: string;
  let token: string; // the user's, as the helper's own walt runs use it
  const terminals: Terminal[] = [];
  const walt = async (args: string[], input?: string) => {
    const r = await server.walt(args, { user, timeoutMs: 120_000, input });
    return { ...r, out: r.stdout + r.stderr };
  };
  const shell = (image: string) => {
    const t = Terminal.open(`l-shell-${s}-${terminals.length}`, `env WALT_SERVER=${server.address} WALT_USER=${user} WALT_TOKEN=${token} WALT_CONFIG_FILE=${work}/none ${process.execPath} ${WALT_BIN} image shell ${image}; echo "EXIT=$?"; sleep 600`);
    terminals.push(t);
    return t;
  };
  const fileOf = async (image: string, path: string): Promise<string | undefined> => {
    const local = join(work, `${image}-${path.replace(/\//g, '_')}`);
    const r = await walt(['image', 'cp', `${image}:${path}`, local]);
    return r.code === 0 ? readFileSync(local, 'utf8') : undefined;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-image-shell-'));
    podmanCli(['pull', '--tls-verify=false', NODE_IMAGE], { timeoutMs: 600_000 });
    podmanCli(['tag', NODE_IMAGE, `localhost/${user}/pcimg:latest`]);
    server = await startServer({ config: engineServerConfig({ registry: true }) });
    token = await userToken(server.address, user);
  }, 900_000);

  afterAll(async () => {
    for (const t of terminals) t.close();
    await server?.stop({ cleanup: true });
    removeEngineImages(s);
    rmSync(work, { recursive: true, force: true });
  });

  it('installs a file through the shell, with the terminal size and Ctrl-C, and saves it under the same name', async () => {
    const cmdBefore = podmanCli(['image', 'inspect', '--format', '{{json .Config.Cmd}} {{json .Config.Entrypoint}}', `localhost/${user}/pcimg:latest`]).trim();
    const t = shell('pcimg');
    await t.waitFor('root@image-shell');
    t.type('stty size');
    await t.waitFor(/^40 120$/m);
    t.type('sleep 300');
    await new Promise((r) => setTimeout(r, 500));
    t.keys('C-c');
    t.type(`echo shell-${s} > /root/from-shell.txt && echo "written-$((6 * 7))"`);
    await t.waitFor('written-42', 20_000);
    t.type('exit 3');
    await t.waitFor('New image name:');
    t.keys('Enter');
    await t.waitFor('Selected: pcimg');
    await t.waitFor('This would overwrite image pcimg.');
    await t.waitFor('Are you sure? (y/n):');
    t.type('y');
    await t.waitFor('EXIT=0', 120_000);
    expect(t.screen()).toContain('Image pcimg updated.');
    expect(await fileOf('pcimg', '/root/from-shell.txt')).toBe(`shell-${s}\n`);
    // The session's shell command is not the image's: its own command was restored.
    expect(podmanCli(['image', 'inspect', '--format', '{{json .Config.Cmd}} {{json .Config.Entrypoint}}', `localhost/${user}/pcimg:latest`]).trim()).toBe(cmdBefore);
    expect(podmanCli(['image', 'inspect', '--format', '{{index .Labels "walt.node.models"}}', `localhost/${user}/pcimg:latest`]).trim()).toBe('pc-x86-64');
    // Nothing of the session's container is in the image's labels (containers made from it would inherit them).
    expect(Object.keys(JSON.parse(podmanCli(['image', 'inspect', '--format', '{{json .Labels}}', `localhost/${user}/pcimg:latest`])) as object).filter((k) => /^walt\.(shell|view)/.test(k))).toEqual([]);
    expect(sessionContainers()).toBe('');
  });

  it('saves under another name (a taken name is asked again), leaving the first image as it was', async () => {
    expect((await walt(['image', 'duplicate', 'pcimg', 'taken'])).code).toBe(0);
    const t = shell('pcimg');
    await t.waitFor('root@image-shell');
    t.type('echo second > /root/second.txt; exit');
    await t.waitFor('New image name:');
    t.type('taken');
    await t.waitFor('Bad name: image taken already exists in your working set.');
    t.type('pcimg-two');
    await t.waitFor('EXIT=0', 120_000);
    expect(t.screen()).toContain('New image pcimg-two saved.');
    expect(await fileOf('pcimg-two', '/root/second.txt')).toBe('second\n');
    expect(await fileOf('pcimg', '/root/second.txt')).toBeUndefined();
  });

  it('ctrl-C at the name question discards the changes', async () => {
    const t = shell('pcimg');
    await t.waitFor('root@image-shell');
    t.type('echo discarded > /root/discarded.txt; exit');
    await t.waitFor('New image name:');
    t.keys('C-c');
    await t.waitFor(/EXIT=[1-9]/);
    expect(t.screen()).toContain('Aborted.');
    expect(await fileOf('pcimg', '/root/discarded.txt')).toBeUndefined();
    expect(sessionContainers()).toBe('');
  });

  it('an image booted by a node: the overwrite question names it, and the node is rebooted after the save', async () => {
    // A node on pcimg (a loopback address: its reboot fails at once, which is what it reports).
    const reg = await fetch(`http://${server.address}/api/v1/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(server.address, user)) },
      body: JSON.stringify({ mac: `02:00:${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}:01`, ip: '127.77.5.20', vendorClass: 'walt.node.pc-x86-64' }),
    });
    expect(reg.ok).toBe(true);
    const mac = `02:00:${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}:01`;
    const end = Date.now() + 300_000;
    let node: string | undefined;
    while (!node) {
      const { devices } = (await (await fetch(`http://${server.address}/api/v1/devices`, { headers: await authHeaders(server.address, user) })).json()) as { devices: Array<{ mac: string; type: string; name: string }> };
      node = devices.find((d) => d.mac === mac && d.type === 'node')?.name;
      if (Date.now() > end) throw new Error('the node never appeared');
      if (!node) await new Promise((r) => setTimeout(r, 500));
    }
    const boot = await walt(['node', 'boot', node, 'pcimg', '--yes']);
    expect(boot.code, boot.out).toBe(0);
    const t = shell('pcimg');
    await t.waitFor('root@image-shell');
    t.type('exit');
    await t.waitFor('New image name:');
    t.keys('Enter');
    await t.waitFor(`This would overwrite image pcimg (and reboot node ${node}).`);
    t.type('y');
    await t.waitFor('EXIT=0', 120_000);
    expect(t.screen()).toContain(`Trying to reboot node ${node} using this image...`);
    expect(t.screen()).toMatch(new RegExp(`${node}: failed soft-reboot`));
  }, 600_000);

  it('bad input: an unknown image is one line and a non-zero exit', async () => {
    const r = await walt(['image', 'shell', 'no-such-image']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe("Error: No image named 'no-such-image' in your working set (see 'walt image show').");
    expect(engineHas(`localhost/${user}/no-such-image:latest`)).toBe(false);
  });
});

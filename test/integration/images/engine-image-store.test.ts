import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineImageStore } from '../../../packages/core/src/images/engine-image-store.js';
import { containersWithLabel, buildImage, ENGINE, engineHas, needsEngine, podmanCli, uniqueSuffix } from './images-test-kit.js';

/**
 * The engine-backed ImageStore on the real podman service and local registry: pulls (deduplicated,
 * nothing half-made on failure, errors naming the registry), and shared, reference-counted views.
 */
describe.skipIf(needsEngine())('EngineImageStore on podman', () => {
  const s = uniqueSuffix();
  const model = `tm-${s}`;
  const image = `waltplatform/${model}-default:latest`;
  const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
  let dataDir: string;
  let store: EngineImageStore;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'walt-engine-store-'));
    await buildImage({ ref: `${ENGINE.WALT_TEST_REGISTRY}/${image}`, models: [model], marker: `marker-${s}` });
    store = new EngineImageStore({
      socketPath: ENGINE.WALT_TEST_PODMAN_SOCKET,
      registries: [
        { label: 'broken', api: 'docker-registry-v2', host: '127.0.0.1', port: 1, protocol: 'http', auth: 'none' },
        { label: 'local', api: 'docker-registry-v2', host, port: Number(port), protocol: 'http', auth: 'none' },
      ],
      dataDir,
      viewGraceMs: 1500,
      nodeFiles: { serverIp: '192.168.152.1', rpcPort: 12345, logsPort: 12347 },
      log: (line) => logs.push(line),
    });
  });

  afterAll(async () => {
    await store?.close();
    for (const ref of [`localhost/${image}`, `localhost/alice/${model}:latest`]) {
      try {
        podmanCli(['rmi', '--force', ref]);
      } catch {
        /* already gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a failed pull says which registries were tried and why, and leaves nothing behind', async () => {
    const missing = `waltplatform/nothing-${s}:latest`;
    const error = await store.pull(missing).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain(`cannot download ${missing}`);
    expect(error?.message).toContain("registry 'broken' (127.0.0.1:1)");
    expect(error?.message).toContain(`registry 'local' (${ENGINE.WALT_TEST_REGISTRY}): manifest unknown`);
    expect(error?.message.split('\n')).toHaveLength(1);
    expect(engineHas(`localhost/${missing}`)).toBe(false);
    expect(engineHas(`${ENGINE.WALT_TEST_REGISTRY}/${missing}`)).toBe(false);
  });

  it('concurrent pulls of one image are one pull; the image gets its WalT name only', async () => {
    expect(await store.get(image)).toBeUndefined();
    const lines: string[] = [];
    const [a, b, c] = await Promise.all([store.pull(image, (l) => lines.push(l)), store.pull(image), store.pull(image)]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(a).toMatchObject({ fullname: image, user: 'waltplatform', models: [model] });
    expect(lines.some((l) => l.includes("registry 'local'"))).toBe(true);
    expect(engineHas(`localhost/${image}`)).toBe(true);
    // The registry's name for it was only temporary (dropped in the background).
    await store.idle();
    expect(engineHas(`${ENGINE.WALT_TEST_REGISTRY}/${image}`)).toBe(false);
  });

  it('two nodes booting the same image at the same moment share one view, with the node files, released after the grace period', async () => {
    const owner = `walt.view.owner=${dataDir}`;
    const [v1, v2] = await Promise.all([store.acquireView(image), store.acquireView(image)]);
    expect(v1.root).toBe(v2.root);
    expect(store.mountedViews()).toEqual([{ id: (await store.get(image))!.id, holders: 2 }]);
    expect(containersWithLabel(owner)).toHaveLength(1);
    // The image's own files, and the node-side files the boot path needs.
    expect(readFileSync(join(v1.root, `boot/${model}/start.uboot`), 'utf8')).toContain(`marker-${s}`);
    expect(readFileSync(join(v1.root, 'etc/walt-image'), 'utf8')).toBe(`marker-${s}\n`);
    for (const f of ['bin/walt-init', 'bin/walt-log-echo', 'bin/walt-log-cat', 'bin/_walt_internal_/walt-notify-bootup']) {
      expect(existsSync(join(v1.root, f)), f).toBe(true);
    }
    expect(readFileSync(join(v1.root, 'bin/walt-env'), 'utf8')).toContain('walt_server_ip=192.168.152.1');
    expect(readFileSync(join(v1.root, 'etc/resolv.conf'), 'utf8')).toContain('nameserver 192.168.152.1');

    v1.release();
    v1.release(); // a second release of the same handle changes nothing
    await new Promise((r) => setTimeout(r, 2000));
    expect(store.mountedViews()).toHaveLength(1); // v2 still holds it
    const v3 = await store.acquireView(image);
    expect(v3.root).toBe(v1.root);
    v2.release();
    v3.release();
    // Still mounted during the grace period, then unmounted and its container removed.
    expect(store.mountedViews()).toHaveLength(1);
    const end = Date.now() + 10_000;
    while (store.mountedViews().length && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(store.mountedViews()).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(containersWithLabel(owner)).toEqual([]);
  });

  it('the image itself is never modified by its view', async () => {
    const view = await store.acquireView(image);
    view.release();
    const tar = await store.exportArchive(image, '/etc');
    const chunks: Buffer[] = [];
    for await (const c of tar) chunks.push(c as Buffer);
    const listing = Buffer.concat(chunks).toString('latin1');
    expect(listing).toContain('walt-image');
    expect(listing).toContain('hostname'); // removed in views, kept in the image
    expect(listing).not.toContain('resolv.conf');
  });

  it("a shell or squash container a previous run left (named with the server's mark, not labelled) is removed; another server's is not", async () => {
    const owner = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    const mine = `walt-${owner}-shell-left${s}`;
    const others = `walt-000000000000-shell-left${s}`;
    for (const name of [mine, others]) podmanCli(['create', '--name', name, `localhost/${image}`, '/bin/true']);
    const names = () => podmanCli(['ps', '-a', '--filter', `name=left${s}`, '--format', '{{.Names}}']).trim().split('\n').filter(Boolean).sort();
    expect(names()).toEqual([others, mine].sort());
    // A restarted server: its store cleans up before its first view.
    const again = new EngineImageStore({ socketPath: ENGINE.WALT_TEST_PODMAN_SOCKET, registries: [], dataDir, viewGraceMs: 0, nodeFiles: { serverIp: '192.168.152.1', rpcPort: 12345, logsPort: 12347 }, log: () => undefined });
    try {
      (await again.acquireView(image)).release();
      expect(names()).toEqual([others]);
    } finally {
      await again.close();
      podmanCli(['rm', '-f', others]);
    }
  });

  it('an image without the label, or without /boot/<model>/, is flagged', async () => {
    await buildImage({ ref: `localhost/alice/${model}:latest`, models: [model, 'not-in-boot'], bootModels: [model], keepLocal: true, push: false } as never);
    const images = await store.list({ check: true });
    expect(images.find((i) => i.fullname === image)?.problems).toEqual([]);
    expect(images.find((i) => i.fullname === `alice/${model}:latest`)?.problems).toEqual(['no /boot/not-in-boot/']);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineImageStore } from '../../../packages/core/src/images/engine-image-store.js';
import { buildImage, ENGINE, needsEngine, podmanCli, uniqueSuffix } from '../images/images-test-kit.js';

/** Issue 14 item 1 with the engine store: the engine's archive API resolves paths inside the image. */
describe.skipIf(needsEngine())('walt image cp on podman cannot reach host files through links of the image', () => {
  const s = uniqueSuffix();
  const model = `hc-${s}`;
  const image = `waltplatform/${model}-default:latest`;
  const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
  let dataDir: string;
  let hostDir: string;
  let store: EngineImageStore;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'walt-h-engine-cp-'));
    hostDir = mkdtempSync(join(tmpdir(), 'walt-h-host-secrets-'));
    writeFileSync(join(hostDir, 'secret'), 'host secret\n');
    await buildImage({ ref: `${ENGINE.WALT_TEST_REGISTRY}/${image}`, models: [model], marker: `marker-${s}` });
    store = new EngineImageStore({
      socketPath: ENGINE.WALT_TEST_PODMAN_SOCKET,
      registries: [{ label: 'local', api: 'docker-registry-v2', host, port: Number(port), protocol: 'http', auth: 'none' }],
      dataDir,
      viewGraceMs: 1000,
      nodeFiles: { serverIp: '192.168.152.1', rpcPort: 12345, logsPort: 12347 },
      log: () => undefined,
    });
    await store.pull(image);
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    try {
      podmanCli(['rmi', '--force', `localhost/${image}`]);
    } catch {
      /* already gone */
    }
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('a link to a host folder put into the image leads inside the image only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walt-h-tar-'));
    symlinkSync(hostDir, join(dir, 'pwn'));
    const linkTar = execFileSync('tar', ['-c', '-C', dir, 'pwn']);
    rmSync(dir, { recursive: true, force: true });
    await store.importArchive(image, '/', Readable.from([linkTar]));
    const dir2 = mkdtempSync(join(tmpdir(), 'walt-h-tar-'));
    writeFileSync(join(dir2, 'planted'), 'x');
    const planted = execFileSync('tar', ['-c', '-C', dir2, 'planted']);
    rmSync(dir2, { recursive: true, force: true });
    await store.importArchive(image, '/pwn', Readable.from([planted])).catch(() => undefined);
    expect(readdirSync(hostDir)).toEqual(['secret']);
    const out = await store.exportArchive(image, '/pwn/secret').then(
      async (stream) => {
        const chunks: Buffer[] = [];
        for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
        return Buffer.concat(chunks);
      },
      () => Buffer.alloc(0),
    );
    expect(out.includes(Buffer.from('host secret'))).toBe(false);
  }, 180_000);
});

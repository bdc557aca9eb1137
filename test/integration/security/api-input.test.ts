import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore } from '../../../packages/core/src/images/directory-image-store.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { authHeaders } from '../../helpers/api-token.js';

/** Issue 14 items 5 and 7: bad or oversized API input gets one clear error and changes nothing. */
describe('API input limits', () => {
  let server: ServerHandle;
  let base: string;
  let images: string;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(await authHeaders(base, 'alice')), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as { error?: { code: string; message: string } } & Record<string, unknown> };
  };
  const oneLineError = (r: { status: number; body: { error?: { message: string } } }, status: number, text: string | RegExp) => {
    expect(r.status).toBe(status);
    expect(r.body.error?.message).toMatch(text);
    expect(r.body.error?.message.split('\n')).toHaveLength(1);
  };

  beforeAll(async () => {
    images = mkdtempSync(join(tmpdir(), 'walt-h-input-images-'));
    DirectoryImageStore.writeImage(images, 'alice/img:latest', { 'root/.keep': '' }, { models: ['pc-x86-64'] });
    server = await startServer({
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\nimages:\n  directory: ${images}\n  max-archive-size: 1\napi:\n  port: 0\n`,
    });
    base = `http://${server.address}`;
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
    rmSync(images, { recursive: true, force: true });
  });

  it('a user name of 8,000 characters is refused in one line (it was accepted)', async () => {
    // The user is now the token's owner: the name is given once, when its token is claimed.
    oneLineError(await call('POST', '/api/v1/users/claim', { name: 'u'.repeat(8000) }), 400, /^invalid user name 'u{40}\.\.\. \(8000 characters\)'/);
  });

  it('a switch port setting that is not a plain value is refused (it was a 500: String() of {toString: 1} throws)', async () => {
    oneLineError(await call('POST', '/api/v1/switches/sw/ports/1', { settings: { a: { toString: 1 } } }), 400, "setting 'a': expected a value");
  });

  it('device names are at most 63 characters; a long JSON body is refused before it is read', async () => {
    const reg = await call('POST', '/api/v1/devices/register', { mac: '02:00:00:00:11:01', ip: '192.168.152.40' });
    expect(reg.status).toBe(200);
    const name = (reg.body.device as { name: string }).name;
    oneLineError(await call('POST', `/api/v1/devices/${name}/rename`, { newName: `n${'x'.repeat(63)}` }), 400, /2 to 63 characters/);
    expect((await call('POST', `/api/v1/devices/${name}/rename`, { newName: `n${'x'.repeat(62)}` })).status).toBe(200);
    oneLineError(await call('POST', `/api/v1/devices/n${'x'.repeat(62)}/rename`, { newName: 'y'.repeat(2 * 1024 * 1024) }), 413, /request body too large/);
    const devices = await call('GET', '/api/v1/devices');
    expect(JSON.stringify(devices.body).length).toBeLessThan(10_000);
  });

  it('no second device is registered on an address in use', async () => {
    expect((await call('POST', '/api/v1/devices/register', { mac: '02:00:00:00:12:01', ip: '192.168.152.41' })).status).toBe(200);
    oneLineError(await call('POST', '/api/v1/devices/register', { mac: '02:00:00:00:12:02', ip: '192.168.152.41' }), 409, 'address 192.168.152.41 is already used by');
    const devices = (await call('GET', '/api/v1/devices')).body.devices as Array<{ mac: string; ip: string | null }>;
    expect(devices.filter((d) => d.ip === '192.168.152.41').map((d) => d.mac)).toEqual(['02:00:00:00:12:01']);
  });

  it('an archive over images.max-archive-size is refused and the image is unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'walt-h-input-tar-'));
    mkdirSync(join(dir, 'big'));
    writeFileSync(join(dir, 'big', 'blob'), Buffer.alloc(3 * 1024 * 1024, 1));
    const tar = execFileSync('tar', ['-c', '-C', dir, 'big'], { maxBuffer: 16 * 1024 * 1024 });
    rmSync(dir, { recursive: true, force: true });
    // Declared size, and a stream that does not declare it (chunked).
    oneLineError(await call('PUT', '/api/v1/images/img/archive?path=/root', tar, { 'content-type': 'application/x-tar' }), 413, /archive larger than 1 MiB/);
    const chunked = new ReadableStream({
      start(c) {
        for (let i = 0; i < tar.length; i += 65536) c.enqueue(tar.subarray(i, i + 65536));
        c.close();
      },
    });
    const res = await fetch(`${base}/api/v1/images/img/archive?path=/root`, { method: 'PUT', headers: { 'content-type': 'application/x-tar', ...(await authHeaders(base, 'alice')) }, body: chunked, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(readdirSync(join(images, 'alice', 'img', 'latest', 'rootfs', 'root'))).toEqual(['.keep']);
    expect(readdirSync(join(images, 'alice', 'img', 'latest')).filter((e) => e.startsWith('.walt-import'))).toEqual([]);
  });
});

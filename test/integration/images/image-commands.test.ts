import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { startServer, WALT_BIN, type ServerHandle } from '../../helpers/walt-processes.js';
import { buildImage, ENGINE, engineHas, engineServerConfig, needsEngine, registryTags, removeEngineImages, SERVER_BASE, uniqueSuffix } from './images-test-kit.js';
import { authHeaders } from '../../helpers/api-token.js';
import { userToken } from '../../helpers/api-token.js';


async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * `walt image ...` against a real server on the podman service and the local registry: a node of a
 * never-seen model gets its default image from the registry; clone, rename, duplicate, publish, cp
 * and remove round-trip through the registry and the engine; refusals say why and change nothing.
 */
describe.skipIf(needsEngine())('walt image commands on podman and a local registry', () => {
  const s = uniqueSuffix();
  const model = `tm-${s}`;
  const user = `u${s}`;
  const defaultImage = `waltplatform/${model}-default:latest`;
  let server: ServerHandle;
  let work: string;
  const walt = async (args: string[], as = user) => {
    const r = await server.walt(args, { user: as, timeoutMs: 120_000 });
    return { ...r, out: r.stdout + r.stderr };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-image-cmds-'));
    await buildImage({ ref: `${ENGINE.WALT_TEST_REGISTRY}/${defaultImage}`, models: [model], marker: `default-${s}` });
    server = await startServer({
      config: engineServerConfig({ registry: true }),
    });
  });

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    removeEngineImages(s);
    rmSync(work, { recursive: true, force: true });
  });

  it('a node of a never-seen model is unknown while its default image is pulled from the registry, then a node', async () => {
    expect(engineHas(`localhost/${defaultImage}`)).toBe(false);
    const res = await fetch(`http://${server.address}/api/v1/devices/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(server.address, 'alice')) },
      // A loopback address (127.77.4.x): the reboot after 'walt node acquire' below fails at once (nothing listens).
      body: JSON.stringify({ mac: `aa:bb:cc:${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}`, ip: '127.77.4.20', vendorClass: `walt.node.${model}` }),
    });
    const reg = (await res.json()) as { device: { type: string }; pendingImage?: string };
    expect(reg.device.type).toBe('unknown');
    expect(reg.pendingImage).toBe(defaultImage);
    const node = await eventually(async () => {
      const { devices } = (await (await fetch(`http://${server.address}/api/v1/devices`, { headers: await authHeaders(server.address, 'alice') })).json()) as { devices: Array<{ type: string; model: string; image: string; name: string }> };
      return devices.find((d) => d.type === 'node' && d.model === model);
    }, 'the node conversion');
    expect(node.image).toBe(defaultImage);
    expect(engineHas(`localhost/${defaultImage}`)).toBe(true);
    expect(server.output()).toContain(`Image ${defaultImage} was downloaded successfully.`);
  });

  it("a new user's first 'walt image show' lists the default images of the models present, copied at first use", async () => {
    const r = await walt(['image', 'show']);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain(`${model}-default is a default image for ${model}: it is copied into your working set when you first use it.`);
    expect(engineHas(`localhost/${user}/${model}-default:latest`)).toBe(false);
    expect(r.stdout).toContain('Your working set is made of the following images:');
    expect(r.stdout).toMatch(new RegExp(`${model}-default\\s+False\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+${model}`));
    const again = await walt(['image', 'show', '--names-only']);
    expect(again.stdout.trim()).toBe(`${model}-default`);
    const json = JSON.parse((await walt(['image', 'show', '--all', '--json'])).stdout) as { defaults: Array<{ fullname: string; clonableLink: string }> };
    expect(json.defaults).toContainEqual(expect.objectContaining({ fullname: defaultImage, clonableLink: `walt:waltplatform/${model}-default` }));
    const both = await walt(['image', 'show', '--all', '--names-only']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('mutually exclusive');
  });

  it('duplicate, rename, publish, remove, then clone back from the registry', async () => {
    expect((await walt(['image', 'duplicate', `${model}-default`, 'work-a'])).out).toContain(`was duplicated as work-a`);
    // That first use copied the default image into the working set.
    expect(engineHas(`localhost/${user}/${model}-default:latest`)).toBe(true);
    expect((await walt(['image', 'rename', 'work-a', 'work-b'])).out).toContain('was renamed to work-b');
    expect(engineHas(`localhost/${user}/work-a:latest`)).toBe(false);
    expect(engineHas(`localhost/${user}/work-b:latest`)).toBe(true);
    const pub = await walt(['image', 'publish', 'work-b']);
    expect(pub.code, pub.out).toBe(0);
    expect(pub.stdout).toContain(`OK, image was published at:\nlocal:${user}/work-b`);
    expect(registryTags(`${user}/work-b`)).toEqual(['latest']);
    expect(engineHas(`${ENGINE.WALT_TEST_REGISTRY}/${user}/work-b:latest`)).toBe(false);
    expect((await walt(['image', 'remove', 'work-b'])).out).toContain('was removed');
    expect(engineHas(`localhost/${user}/work-b:latest`)).toBe(false);
    const clone = await walt(['image', 'clone', `local:${user}/work-b`]);
    expect(clone.code, clone.out).toBe(0);
    expect(clone.stdout).toContain('Image "work-b" was cloned successfully (cf. walt image show).');
    const json = JSON.parse((await walt(['image', 'show', '--json'])).stdout) as { images: Array<{ name: string; compatibility: string; problems: string[] }> };
    expect(json.images).toContainEqual(expect.objectContaining({ name: 'work-b', compatibility: model, problems: [] }));
    // Another user clones it from this server, and finds it with search.
    expect((await walt(['image', 'clone', `walt:${user}/work-b`, 'mine'], `v${s}`)).out).toContain('Image "mine" was cloned successfully');
    const search = await walt(['image', 'search', 'work-b']);
    expect(search.stdout).toContain(`local:${user}/work-b`);
  });

  it('on a terminal, a clone shows the pull progress streamed from the server', async () => {
    const token = await userToken(server.address, user);
    const cmd = `${process.execPath} ${WALT_BIN} image clone local:${user}/work-b on-tty`;
    const out = execFileSync('script', ['-qec', cmd, '/dev/null'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, WALT_SERVER: server.address, WALT_USER: user, WALT_TOKEN: token, WALT_CONFIG_FILE: join(work, 'no-client-config') },
    });
    expect(out).toContain('\r\x1b[K'); // progress lines rewritten in place
    expect(out).toMatch(/Pulling|Download complete|Copying/);
    expect(out).toContain('Image "on-tty" was cloned successfully');
  });

  it('clone refuses an existing name without --force, and a missing image with the registry and the reason', async () => {
    const again = await walt(['image', 'clone', `local:${user}/work-b`]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("Image 'work-b' already exists in your working set (use --force to overwrite it).");
    expect((await walt(['image', 'clone', '--force', `local:${user}/work-b`])).code).toBe(0);
    const missing = await walt(['image', 'clone', `local:${user}/nothing-${s}`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`registry 'local' (${ENGINE.WALT_TEST_REGISTRY}): manifest unknown`);
    expect(engineHas(`localhost/${user}/nothing-${s}:latest`)).toBe(false);
  });

  it('invalid and reserved names are refused with a message, and nothing changes', async () => {
    for (const [name, message] of [
      ['Bad_Name', "invalid image name 'Bad_Name'"],
      ['default', "Sorry 'default' is a reserved keyword."],
    ]) {
      const r = await walt(['image', 'rename', 'work-b', name]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const dup = await walt(['image', 'duplicate', 'work-b', `${model}-default`]);
    expect(dup.stderr).toContain(`Image '${model}-default' already exists`);
    expect(JSON.parse((await walt(['image', 'show', '--json'])).stdout).images.map((i: { name: string }) => i.name).sort()).toEqual([`${model}-default`, 'on-tty', 'work-b'].sort());
  });

  it('cp copies a file into an image (a new image, same name) and back out', async () => {
    const local = join(work, 'hello.txt');
    writeFileSync(local, `hello ${s}\n`);
    const before = JSON.parse((await walt(['image', 'show', '--json'])).stdout).images.find((i: { name: string }) => i.name === 'work-b');
    const up = await walt(['image', 'cp', local, 'work-b:/root/']);
    expect(up.code, up.out).toBe(0);
    const out = join(work, 'out');
    mkdirSync(out);
    const down = await walt(['image', 'cp', 'work-b:/root/hello.txt', out]);
    expect(down.code, down.out).toBe(0);
    expect(readFileSync(join(out, 'hello.txt'), 'utf8')).toBe(`hello ${s}\n`);
    const after = JSON.parse((await walt(['image', 'show', '--json'])).stdout).images.find((i: { name: string }) => i.name === 'work-b');
    expect(after.created).toBeGreaterThanOrEqual(before.created);
    expect(after.models ?? [model]).toEqual([model]); // labels survive the commit
    const missing = await walt(['image', 'cp', join(work, 'nothing'), 'work-b:/root/']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no such file or directory');
    const notInImage = await walt(['image', 'cp', 'work-b:/no/such/file', out]);
    expect(notInImage.code).not.toBe(0);
    expect(notInImage.stderr).toContain('no such file or directory in image');
    const noImageSide = await walt(['image', 'cp', local, out]);
    expect(noImageSide.stderr).toContain('exactly one of <src> and <dst> must be <image>:<absolute-path>');
  });

  it('remove and rename of an image a node boots are refused', async () => {
    const nodes = JSON.parse((await walt(['node', 'show', '--all', '--json'])).stdout) as Array<{ name: string }>;
    const acquire = await walt(['node', 'acquire', nodes[0].name]);
    expect(acquire.code, acquire.out).toBe(0);
    const rm = await walt(['image', 'remove', `${model}-default`]);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toContain(`Cannot remove ${model}-default: node ${nodes[0].name} boots it`);
    expect(engineHas(`localhost/${user}/${model}-default:latest`)).toBe(true);
    expect((await walt(['image', 'rename', `${model}-default`, 'other'])).stderr).toContain('Cannot rename');
  });

  it('update-default-images downloads the default images of the models present again', async () => {
    const r = await walt(['advanced', 'update-default-images']);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain(`${defaultImage}: already up to date (registry 'local'`);
  });
});

describe('without an image engine', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ config: `${SERVER_BASE}images:\n  engine-socket: /nonexistent/podman.sock\n` });
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('the server runs, and walt image show says what to install', async () => {
    const r = await server.walt(['image', 'show']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no image engine');
    expect(r.stderr).toContain('install podman');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const devices = await server.walt(['device', 'show']);
    expect(devices.code, devices.stderr).toBe(0);
  });

  it.skipIf(existsSync('/run/podman/podman.sock'))('with no engine configured and no Podman socket, the same', async () => {
    const bare = await startServer({ config: SERVER_BASE });
    try {
      const r = await bare.walt(['image', 'show']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('no image engine: no Podman socket at /run/podman/podman.sock');
      expect(r.stderr).toContain('install podman');
    } finally {
      await bare.stop({ cleanup: true });
    }
  });
});

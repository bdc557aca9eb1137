import { Transform } from 'node:stream';
import { WaltError } from '../errors.js';
import type { ImageService } from '../images/image-service.js';
import { fixImageOwner } from '../images/image-owner-fix.js';
import type { ImageStore, ProgressSink } from '../images/image-store.js';
import { requireUser } from '../nodes/node-ownership.js';
import { workingSetImage } from '../nodes/working-set-image.js';
import { bodyObject, optionalBoolean, requiredString } from './device-routes.js';
import { STREAMED, type ApiRequest, type Router } from './router.js';

export function optionalText(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new WaltError('invalid', `'${key}' must be a string`, 400);
  return v;
}

export function flag(req: ApiRequest, name: string): boolean {
  const v = req.query.get(name);
  return v !== null && v !== '0' && v !== 'false';
}

/**
 * Long work (pulls, pushes) answers NDJSON when the client asks (`?progress=1`): `{"progress": line}`
 * lines while it runs, then `{"result": ...}` or `{"error": {code, message}}`. Otherwise plain JSON.
 */
export async function withProgress(req: ApiRequest, work: (progress?: ProgressSink) => Promise<unknown>): Promise<unknown> {
  if (!flag(req, 'progress')) return work();
  const res = req.res;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
  const send = (obj: unknown) => {
    if (!res.writableEnded) res.write(JSON.stringify(obj) + '\n');
  };
  try {
    send({ result: await work((line) => send({ progress: line })) });
  } catch (e) {
    if (e instanceof WaltError) send({ error: { code: e.code, message: e.message } });
    else send({ error: { code: 'internal', message: `internal server error: ${(e as Error)?.message ?? e}` } });
  }
  res.end();
  return STREAMED;
}

export const tooLarge = (max: number) => new WaltError('too-large', `archive larger than ${Math.round(max / 1024 / 1024)} MiB (images.max-archive-size in the server configuration)`, 413);

/** The archive as it streams in, failing (and so stopping the unpacking) past `max` bytes. */
export function capped(input: NodeJS.ReadableStream, max: number): NodeJS.ReadableStream {
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(tooLarge(max));
      else done(null, chunk);
    },
  });
  input.on('error', (e) => out.destroy(e));
  return input.pipe(out);
}

/** `walt image ...` and `walt advanced update-default-images`. */
export function registerImageRoutes(router: Router, images: ImageService, store: ImageStore, maxArchiveBytes = 4096 * 1024 * 1024, owners?: Omit<Parameters<typeof fixImageOwner>[0], 'store'>): void {
  /** `walt advanced fix-image-owner --yes-i-know-do-it-please <other-user>`. */
  router.post('/api/v1/images/fix-owner', async (req) => {
    if (!owners) throw new WaltError('unsupported', 'fix-image-owner is not available on this server', 501);
    const user = requireUser(req.user);
    return { messages: await fixImageOwner({ ...owners, store }, user, requiredString(bodyObject(req.body), 'otherUser')) };
  });

  router.get('/api/v1/images', async (req) => {
    const user = requireUser(req.user);
    return images.show(user, { all: flag(req, 'all'), refresh: flag(req, 'refresh') });
  });

  router.get('/api/v1/images/search', async (req) => images.search(req.query.get('keyword') ?? ''));

  router.post('/api/v1/images/clone', (req) => {
    const user = requireUser(req.user);
    const body = bodyObject(req.body);
    const link = requiredString(body, 'link');
    const name = optionalText(body, 'name');
    const force = optionalBoolean(body, 'force');
    return withProgress(req, async (progress) => ({ message: await images.clone(user, link, { name, force }, progress) }));
  });

  router.post('/api/v1/images/:name/rename', async (req) => {
    const body = bodyObject(req.body);
    return { message: await images.rename(requireUser(req.user), req.params.name, requiredString(body, 'newName')) };
  });

  router.post('/api/v1/images/:name/duplicate', async (req) => {
    const body = bodyObject(req.body);
    return { message: await images.duplicate(requireUser(req.user), req.params.name, requiredString(body, 'newName')) };
  });

  router.post('/api/v1/images/:name/remove', async (req) => ({ message: await images.remove(requireUser(req.user), req.params.name) }));

  router.post('/api/v1/images/:name/publish', (req) => {
    const user = requireUser(req.user);
    const body = bodyObject(req.body ?? {});
    const registry = optionalText(body, 'registry');
    return withProgress(req, async (progress) => ({ message: await images.publish(user, req.params.name, registry, progress) }));
  });

  /** `walt image cp <image>:<path> <local>`: a tar of the path. */
  router.get('/api/v1/images/:name/archive', async (req) => {
    const user = requireUser(req.user);
    const fullname = workingSetImage(user, req.params.name);
    await images.materialize(user, req.params.name);
    const path = req.query.get('path');
    if (!path || !path.startsWith('/')) throw new WaltError('invalid', `expected an absolute path in the image (e.g. ${req.params.name}:/etc/hostname)`, 400);
    const tar = await store.exportArchive(fullname, path);
    req.res.writeHead(200, { 'content-type': 'application/x-tar' });
    tar.on('error', () => req.res.destroy());
    tar.pipe(req.res);
    return STREAMED;
  });

  /** `walt image cp <local> <image>:<dir>`: a tar unpacked into the dir, saved as a new image under the same name. */
  router.put('/api/v1/images/:name/archive', async (req) => {
    const user = requireUser(req.user);
    const fullname = workingSetImage(user, req.params.name);
    const path = req.query.get('path');
    if (!path || !path.startsWith('/')) throw new WaltError('invalid', `expected an absolute directory in the image (e.g. ${req.params.name}:/root/)`, 400);
    if (!(req.raw.headers['content-type'] ?? '').startsWith('application/x-tar')) throw new WaltError('invalid', 'expected a tar archive (content-type application/x-tar)', 400);
    const declared = Number(req.raw.headers['content-length'] ?? 0);
    if (declared > maxArchiveBytes) throw tooLarge(maxArchiveBytes);
    await images.materialize(user, req.params.name);
    const img = await store.importArchive(fullname, path, capped(req.raw, maxArchiveBytes));
    return { message: `Image ${req.params.name} was updated.`, id: img.id };
  });

  router.post('/api/v1/images/update-default-images', (req) => withProgress(req, async (progress) => ({ messages: await images.updateDefaultImages(progress) })));
}

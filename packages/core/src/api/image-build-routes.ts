import { WaltError } from '../errors.js';
import { receiveContext } from '../images/build-context.js';
import type { ImageBuildService } from '../images/image-build-service.js';
import { requireUser } from '../nodes/node-ownership.js';
import { bodyObject, optionalBoolean, requiredString } from './device-routes.js';
import { capped, optionalText, tooLarge, withProgress } from './image-routes.js';
import type { Router } from './router.js';

/** `walt image build` (from the client's directory as a tar, or from a git URL) and `walt image squash`. */
export function registerImageBuildRoutes(router: Router, builds: ImageBuildService, maxArchiveBytes: number): void {
  /** What the client asks before sending anything: would the build overwrite an image? */
  router.get('/api/v1/images/:name/build', async (req) => {
    const question = await builds.overwriteQuestion(requireUser(req.user), req.params.name);
    return question ?? { needsConfirm: false };
  });

  /** `--from-dir`: the directory as a tar stream, unpacked on the server's disk as it arrives, then built. */
  router.put('/api/v1/images/:name/build', async (req) => {
    const user = requireUser(req.user);
    if (!(req.raw.headers['content-type'] ?? '').startsWith('application/x-tar')) throw new WaltError('invalid', 'expected the build directory as a tar archive (content-type application/x-tar)', 400);
    if (Number(req.raw.headers['content-length'] ?? 0) > maxArchiveBytes) throw tooLarge(maxArchiveBytes);
    const where = optionalText({ where: req.query.get('where') }, 'where') ?? 'the directory';
    const context = builds.newContextDir();
    try {
      await receiveContext(capped(req.raw, maxArchiveBytes), context.dir);
    } catch (e) {
      context.discard();
      throw e;
    }
    return withProgress(req, async (progress) => {
      try {
        return await builds.buildFromDir(user, req.params.name, context.dir, where, progress);
      } finally {
        context.discard();
      }
    }).finally(() => context.discard());
  });

  /** `--from-url [--sub-dir]`: the server clones the repository, then builds. */
  router.post('/api/v1/images/:name/build', (req) => {
    const user = requireUser(req.user);
    const body = bodyObject(req.body);
    const url = requiredString(body, 'url');
    const subDir = optionalText(body, 'subDir');
    return withProgress(req, (progress) => builds.buildFromUrl(user, req.params.name, url, subDir, progress));
  });

  router.post('/api/v1/images/:name/squash', (req) => {
    const user = requireUser(req.user);
    const confirmed = optionalBoolean(bodyObject(req.body ?? {}), 'confirmed');
    return withProgress(req, () => builds.squash(user, req.params.name, confirmed));
  });
}

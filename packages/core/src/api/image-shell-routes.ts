import type { ImageShellService } from '../images/image-shell-service.js';
import { requireUser } from '../nodes/node-ownership.js';
import { bodyObject, optionalBoolean, requiredString } from './device-routes.js';
import { optionalText } from './image-routes.js';
import type { Router } from './router.js';

function size(query: URLSearchParams, name: string): number | undefined {
  const n = Number(query.get(name));
  return Number.isInteger(n) && n > 0 && n < 10_000 ? n : undefined;
}

/**
 * `walt image shell`: create the shell session (a container of the image), attach to it (a session,
 * docs/decisions/0019), then save it (same or new name) or discard it.
 */
export function registerImageShellRoutes(router: Router, shells: ImageShellService): void {
  router.post('/api/v1/images/:name/shell', async (req) => {
    const user = requireUser(req.user);
    return shells.create(user, req.params.name, optionalText(bodyObject(req.body ?? {}), 'term'));
  });

  router.session('/api/v1/image-shells/:id/attach', (req) => shells.attach(requireUser(req.user), req.params.id, { cols: size(req.query, 'cols'), rows: size(req.query, 'rows') }));

  router.post('/api/v1/image-shells/:id/save', async (req) => {
    const body = bodyObject(req.body);
    return shells.save(requireUser(req.user), req.params.id, requiredString(body, 'name'), optionalBoolean(body, 'confirmed'));
  });

  router.post('/api/v1/image-shells/:id/discard', async (req) => {
    await shells.discard(requireUser(req.user), req.params.id);
    return { message: 'Changes were discarded.' };
  });
}

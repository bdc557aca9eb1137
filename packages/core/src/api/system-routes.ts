import type { PluginHost } from '../plugins/plugin-host.js';
import { HTTP_API_VERSION, SERVER_VERSION } from '../version.js';
import type { Router } from './router.js';

/** Version and plugin report endpoints. */
export function registerSystemRoutes(router: Router, host: PluginHost, serverId = ''): void {
  // `id`: the fingerprint of the server's certificate, which clients key their tokens by.
  router.get('/api/v1/version', () => ({ server: SERVER_VERSION, api: HTTP_API_VERSION, id: serverId }));
  router.get('/api/v1/plugins', () => ({ plugins: host.results }));
  router.get('/api/v1/help-topics', () => ({
    topics: host.registry.helpTopics().map((t) => ({ name: t.name, title: t.title })),
  }));
  router.get('/api/v1/help-topics/:name', (req) => {
    const topic = host.registry.helpTopic(req.params.name);
    return topic ?? { topic: null };
  });
}

import type { SqlService } from '../advanced/sql-service.js';
import { requireUser } from '../nodes/node-ownership.js';
import { bodyObject, requiredString } from './device-routes.js';
import type { Router } from './router.js';

/** `walt advanced sql`: one read-only statement per request. */
export function registerSqlRoutes(router: Router, sql: SqlService): void {
  router.post('/api/v1/advanced/sql', async (req) => {
    requireUser(req.user);
    return sql.query(requiredString(bodyObject(req.body), 'sql'));
  });
}

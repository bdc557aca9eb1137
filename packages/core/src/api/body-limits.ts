/** JSON request bodies: small (a 60 MB rename was accepted, and four at once took 852 MB). */
export const MAX_JSON_BODY = 1024 * 1024;
/** Log ingestion takes batches (up to 100,000 records of POST /api/v1/logs). */
export const MAX_LOG_BATCH_BODY = 32 * 1024 * 1024;

/** The most bytes a JSON body of this request may have. */
export function jsonBodyLimit(method: string, path: string): number {
  return method === 'POST' && path === '/api/v1/logs' ? MAX_LOG_BATCH_BODY : MAX_JSON_BODY;
}

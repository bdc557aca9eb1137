/** Server release, reported by /api/v1/version; the CLI refuses a server whose API version differs. */
export const SERVER_VERSION = '1.0.0';

/** Version of the HTTP API under /api/v1. Bump on incompatible changes. */
export const HTTP_API_VERSION = 1;

/**
 * Errors a user can hit. `code` is stable (the CLI and scripts may test it); `message` is one line that
 * says what is wrong and what to do. `status` is the HTTP status the API answers with.
 */
export class WaltError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'WaltError';
  }
}

export const notFound = (message: string) => new WaltError('not-found', message, 404);
export const invalid = (message: string) => new WaltError('invalid', message, 400);
export const conflict = (message: string) => new WaltError('conflict', message, 409);
export const forbidden = (message: string) => new WaltError('forbidden', message, 403);
export const unavailable = (message: string) => new WaltError('unavailable', message, 503);

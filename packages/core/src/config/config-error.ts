import { WaltError } from '../errors.js';

/** A configuration problem: names the key and the fix, in one line per problem. */
export class ConfigError extends WaltError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super('config-invalid', `Invalid configuration at '${file}': ${problems.join('; ')}`, 400);
    this.name = 'ConfigError';
  }
}

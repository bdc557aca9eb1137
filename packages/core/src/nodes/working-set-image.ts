import { invalid } from '../errors.js';

/** A name in a user's working set: `<name>` or `<name>:<tag>`, lowercase letters, digits and '-'. */
const WORKING_SET_NAME = /^[a-z0-9][a-z0-9-]*(?::[a-z0-9][a-z0-9._-]*)?$/;

/** The full name of a user's image from the name they type; `default` is reserved. */
export function workingSetImage(user: string, name: string): string {
  if (name === 'default') throw invalid("Sorry 'default' is a reserved keyword.");
  if (!WORKING_SET_NAME.test(name)) {
    throw invalid(`invalid image name '${name}': use lowercase letters, digits and '-', optionally followed by :<tag> (see 'walt image show').`);
  }
  return name.includes(':') ? `${user}/${name}` : `${user}/${name}:latest`;
}

/** How images are shown: `<name>` (`:latest` dropped) or `<name>:<tag>`, without the user. */
export function displayImageName(fullname: string): string {
  const withoutUser = fullname.slice(fullname.indexOf('/') + 1);
  return withoutUser.endsWith(':latest') ? withoutUser.slice(0, -':latest'.length) : withoutUser;
}

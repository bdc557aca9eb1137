import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEBIAN_KEYRING, DEFAULT_DEBIAN_MIRROR, buildTftpStaticFromDebian, buildTftpStaticFromTarball, hostDebianSuite, type BuildResult } from '@walt/core';
import { CliError } from '@walt/cli/cli-error';

export interface TftpStaticOptions {
  dataDir: string;
  fromTarball?: string;
  /** Where apt lists and .deb files are kept between runs. */
  debCache?: string;
  mirror?: string;
  suite?: string;
}

/** The default cache of the Debian packages: root's in /var/cache, a user's in ~/.cache. */
export function defaultDebCache(): string {
  return process.getuid?.() === 0 ? '/var/cache/walt/tftp-static-debs' : join(homedir(), '.cache', 'walt', 'tftp-static-debs');
}

/**
 * `walt-server-setup --tftp-static`: build `<data dir>/tftp-static`, the files Raspberry Pi boards
 * fetch before they are registered, from Debian's packages or from a tarball the admin names.
 * The full server set-up runs the same step.
 */
export function setUpTftpStatic(options: TftpStaticOptions, out: (line: string) => void): BuildResult {
  let result: BuildResult;
  try {
    result = options.fromTarball
      ? buildTftpStaticFromTarball(options.dataDir, options.fromTarball)
      : buildTftpStaticFromDebian(
          options.dataDir,
          { mirror: options.mirror ?? DEFAULT_DEBIAN_MIRROR, suite: options.suite ?? hostDebianSuite(), cacheDir: options.debCache ?? defaultDebCache(), keyring: DEBIAN_KEYRING },
          out,
        );
  } catch (e) {
    const hint = options.fromTarball ? '' : ' (or give the files yourself: walt-server-setup --tftp-static --from-tarball <file>)';
    throw new CliError(`cannot build tftp-static: ${(e as Error).message}${hint}`, 'tftp-static-failed');
  }
  out(`tftp-static ready in ${result.dir}: ${result.files.join(' ')}`);
  return result;
}

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

/** What an npm package tarball holds: its package.json and the paths of its files (root folder stripped). */
export interface TarballContents {
  packageJson: unknown;
  /** Files and the folders above them, relative to the package root ("dist/index.js", "dist"). */
  paths: Set<string>;
}

const MAX_PACKAGE_JSON = 1024 * 1024;

/**
 * Read a package tarball (.tgz, as `npm pack` makes) without unpacking it, so a package can be
 * checked before npm installs it. npm tarballs put everything under one root folder ("package/").
 */
export async function readTarball(file: string): Promise<TarballContents> {
  const paths = new Set<string>();
  let packageJson: unknown;
  let jsonError: Error | undefined;
  const extract = tar.extract();
  extract.on('entry', (header: tar.Headers, stream: NodeJS.ReadableStream, next: () => void) => {
    const rel = header.name.replace(/\\/g, '/').split('/').slice(1).filter(Boolean);
    for (let i = 1; i <= rel.length; i++) paths.add(rel.slice(0, i).join('/'));
    const isManifest = rel.length === 1 && rel[0] === 'package.json' && header.type === 'file';
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (!isManifest) return;
      size += chunk.length;
      if (size <= MAX_PACKAGE_JSON) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (isManifest) {
        try {
          packageJson = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (e) {
          jsonError = e as Error;
        }
      }
      next();
    });
    stream.resume();
  });
  try {
    await pipeline(createReadStream(file), createGunzip(), extract);
  } catch (e) {
    throw new Error(`${file} is not a readable package tarball (${(e as Error).message.split('\n')[0]})`);
  }
  if (jsonError) throw new Error(`the package.json in ${file} is not valid JSON (${jsonError.message})`);
  if (packageJson === undefined) throw new Error(`${file} has no package.json at its root (is it an npm package tarball?)`);
  return { packageJson, paths };
}

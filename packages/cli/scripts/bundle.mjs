// Bundles the compiled client (dist/bin/walt.js and what it imports, commander included) into one
// file, dist/bundle/walt.js, which bin/walt.js runs: Node 20's ESM loader costs a resolve, a read and
// a compile per module, and a listing command loaded about 35 of them (docs/decisions/0012). The
// bundle sits two levels under the package, as dist/help/ does, so the help topics are found at the
// same relative path. `yaml` stays outside: the client loads it only for a config file the small
// reader refuses. Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(PACKAGE, 'dist/bin/walt.js')],
  outfile: join(PACKAGE, 'dist/bundle/walt.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['yaml'],
  // commander is CommonJS: its require() calls of node: modules need a real require in an ES module.
  banner: { js: "import { createRequire as waltBundleRequire } from 'node:module'; const require = waltBundleRequire(import.meta.url);" },
  logLevel: 'warning',
});

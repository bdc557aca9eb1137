#!/usr/bin/env node
// Benchmark runner: `node test/bench/run.mjs <name> [args...]` runs test/bench/<name>.bench.mjs
// (npm run bench -- <name>). Each bench prints its figures, side by side with an established tool.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.slice(0, -'.bench.mjs'.length))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z0-9-]+$/.test(name) || !existsSync(join(here, `${name}.bench.mjs`))) {
  process.stderr.write(`usage: npm run bench -- <name>   (available: ${available.join(', ') || 'none'})\n`);
  process.exit(2);
}
// Servers started by benches leave the host's interfaces alone (no walt-net bridge on the host).
process.env.WALT_SKIP_NETWORK_SETUP ??= '1';
const bench = await import(pathToFileURL(join(here, `${name}.bench.mjs`)).href);
if (typeof bench.default !== 'function') {
  process.stderr.write(`test/bench/${name}.bench.mjs must export a default async function(args)\n`);
  process.exit(2);
}
process.exitCode = (await bench.default(args)) ?? 0;

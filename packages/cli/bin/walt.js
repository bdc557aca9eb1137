#!/usr/bin/env node
// Committed shim so npm can link the command before the build has run. It runs the one-file bundle
// that `npm run build` makes (fastest start: docs/decisions/0012), or the compiled modules when only
// tsc has run.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/walt.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/bin/walt.js');

#!/usr/bin/env node
// Committed shim so npm can link the command before the TypeScript build has run.
await import('../dist/bin/walt-server.js');

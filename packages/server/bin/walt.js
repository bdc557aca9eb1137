#!/usr/bin/env node
// The server package brings the client too: the admin's `walt` is the one installed with @walt/cli.
await import('@walt/cli/bin/walt');

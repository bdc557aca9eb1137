// `npm run bench -- netboot [--only dhcp|tftp] [options of each part]`: the DHCP boot storm
// (netboot-dhcp.mjs) and the TFTP transfers (netboot-tftp.mjs), each side by side with the established daemon.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default async function netboot(args) {
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  for (const part of ['netboot-dhcp.mjs', 'netboot-tftp.mjs'].filter((p) => !only || p === `netboot-${only}.mjs`)) {
    const file = join(here, part);
    if (!existsSync(file)) {
      console.log(`(${part} not present: skipped)`);
      continue;
    }
    const mod = await import(pathToFileURL(file).href);
    await mod.default(args);
  }
}

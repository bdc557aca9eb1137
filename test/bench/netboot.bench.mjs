// `npm run bench -- netboot [--clients N]`: the DHCP boot storm (netboot-dhcp.mjs) and the TFTP
// transfers (netboot-tftp.mjs, when present), each side by side with the established daemon.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export default async function netboot(args) {
  for (const part of ['netboot-dhcp.mjs', 'netboot-tftp.mjs']) {
    const file = join(here, part);
    if (!existsSync(file)) {
      console.log(`(${part} not present: skipped)`);
      continue;
    }
    const mod = await import(pathToFileURL(file).href);
    await mod.default(args);
  }
}

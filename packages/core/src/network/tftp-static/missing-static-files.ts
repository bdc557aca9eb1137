import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BootProtocol } from '@walt/sdk';

/** The command that builds the static boot folder (named in the start-up warning). */
export const TFTP_STATIC_COMMAND = 'walt-server-setup --tftp-static';

/**
 * The one warning line for the static files the loaded boot protocols need and the folder lacks,
 * or undefined when nothing is missing.
 */
export function missingStaticFilesWarning(protocols: readonly BootProtocol[], staticDir: string): string | undefined {
  const missing: string[] = [];
  const needing: string[] = [];
  for (const p of protocols) {
    const absent = (p.staticFiles ?? []).filter((f) => !existsSync(join(staticDir, f)));
    if (!absent.length) continue;
    needing.push(p.id);
    for (const f of absent) if (!missing.includes(f)) missing.push(f);
  }
  if (!missing.length) return undefined;
  const shown = missing.length > 4 ? `${missing.slice(0, 4).join(', ')} and ${missing.length - 4} more` : missing.join(', ');
  return `${staticDir} lacks ${shown}, needed by boot protocol ${needing.join(', ')} (boards without SD card cannot netboot): run '${TFTP_STATIC_COMMAND}' (or '${TFTP_STATIC_COMMAND} --from-tarball <file>')`;
}

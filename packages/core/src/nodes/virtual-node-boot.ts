import { readdirSync } from 'node:fs';
import { hostPathBeneath } from '../images/open-beneath.js';

/**
 * Why an image cannot boot a virtual node of `model`, or undefined. Virtual nodes PXE-boot like PCs:
 * iPXE chains the image's `/boot/<model>/start.ipxe`, which loads a kernel from that folder; an image
 * without a kernel there cannot boot (looked up beneath the image: its links cannot lead to a host file).
 */
export function virtualBootProblem(imageRoot: string, model: string, image: string): string | undefined {
  const dir = hostPathBeneath(imageRoot, `boot/${model}`, true);
  if (!dir) return `image ${image} has no /boot/${model}/: it cannot boot ${model} nodes`;
  const entries = readdirSync(dir);
  if (!entries.some((e) => e === 'kernel' || e.startsWith('vmlinuz'))) return `image ${image} has no kernel in /boot/${model}/ (expected 'kernel' or 'vmlinuz*')`;
  return undefined;
}

import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { VirtualNodeBoot } from '@walt/sdk';
import { WaltError } from '../errors.js';
import { hostPathBeneath } from '../images/open-beneath.js';
import type { Device } from '../devices/device.js';

export interface DirectBootContext {
  serverIp: string;
  netmask: string;
  gateway: string;
}

/**
 * Direct boot (a virtual-only walt-net, no bridge to PXE boot from): the kernel and initrd of the
 * image's `/boot/<model>/` (`kernel`, else `vmlinuz*`; `initrd`, else `initrd*`), the root filesystem
 * over 9p (mount tag walt_image, read-only), and the command line of `/boot/<model>/cmdline` (default
 * `console=ttyS0`) followed by the root, network and walt parameters.
 */
export function directBoot(node: Device, imageRoot: string, ctx: DirectBootContext): VirtualNodeBoot {
  const model = node.model;
  // Virtual nodes are created with the provider's model; a row without one cannot say which boot folder.
  if (!model) throw new WaltError('no-boot-files', `node ${node.name} has no model: it cannot boot`, 400);
  const problem = virtualBootProblem(imageRoot, model, node.image ?? '?');
  if (problem) throw new WaltError('no-boot-files', problem, 400);
  // Every file is resolved inside the image (its links cannot lead qemu to a host file).
  const bootDir = `boot/${model}`;
  const dir = hostPathBeneath(imageRoot, bootDir, true);
  if (!dir) throw new WaltError('no-boot-files', `image ${node.image} has no /boot/${model}/: it cannot boot ${model} nodes`, 400);
  const entries = readdirSync(dir).sort();
  const pick = (exact: string, prefix: string) => (entries.includes(exact) ? exact : entries.find((e) => e.startsWith(prefix)));
  const file = (name: string | undefined) => {
    const path = name ? hostPathBeneath(imageRoot, `${bootDir}/${name}`) : undefined;
    return path && statSync(path).isFile() ? path : undefined; // not a device or a fifo of the image
  };
  const kernel = file(pick('kernel', 'vmlinuz'));
  if (!kernel) throw new WaltError('no-boot-files', `image ${node.image} has no kernel in /boot/${model}/ (expected 'kernel' or 'vmlinuz*')`, 400);
  const initrd = file(pick('initrd', 'initrd'));
  const cmdlineFile = file('cmdline');
  const base = cmdlineFile ? readFileSync(cmdlineFile, 'utf8').trim().replace(/\s+/g, ' ') : 'console=ttyS0';
  return {
    kind: 'direct',
    kernel,
    initrd,
    cmdline: `${base} ${kernelParameters(node, ctx)}`.trim(),
    rootfs: imageRoot,
  };
}

/** Why an image cannot boot a virtual node of `model` (no /boot/<model>/, no kernel there), or undefined. */
export function virtualBootProblem(imageRoot: string, model: string, image: string): string | undefined {
  const dir = hostPathBeneath(imageRoot, `boot/${model}`, true); // confined, as directBoot
  if (!dir) return `image ${image} has no /boot/${model}/: it cannot boot ${model} nodes`;
  const entries = readdirSync(dir);
  if (!entries.some((e) => e === 'kernel' || e.startsWith('vmlinuz'))) return `image ${image} has no kernel in /boot/${model}/ (expected 'kernel' or 'vmlinuz*')`;
  return undefined;
}

/** Root over 9p, static walt-net address, and the walt parameters the image's init reads. */
export function kernelParameters(node: Pick<Device, 'ip' | 'name' | 'mac' | 'model'>, ctx: DirectBootContext): string {
  return [
    'root=walt_image rootfstype=9p rootflags=trans=virtio,version=9p2000.L ro',
    `ip=${node.ip ?? ''}:${ctx.serverIp}:${ctx.gateway}:${ctx.netmask}:${node.name}::off`,
    `walt.node.model=${node.model ?? ''} walt.server.ip=${ctx.serverIp} walt.node.mac=${node.mac}`,
  ].join(' ');
}

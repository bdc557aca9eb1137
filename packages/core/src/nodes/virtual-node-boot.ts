import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VirtualNodeBoot } from '@walt/sdk';
import { WaltError } from '../errors.js';
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
  const model = node.model ?? 'pc-x86-64';
  const problem = virtualBootProblem(imageRoot, model, node.image ?? '?');
  if (problem) throw new WaltError('no-boot-files', problem, 400);
  const dir = join(imageRoot, 'boot', model);
  const entries = readdirSync(dir).sort();
  const pick = (exact: string, prefix: string) => (entries.includes(exact) ? exact : entries.find((e) => e.startsWith(prefix)));
  const kernel = pick('kernel', 'vmlinuz')!;
  const initrd = pick('initrd', 'initrd');
  const cmdlineFile = join(dir, 'cmdline');
  const base = existsSync(cmdlineFile) ? readFileSync(cmdlineFile, 'utf8').trim().replace(/\s+/g, ' ') : 'console=ttyS0';
  return {
    kind: 'direct',
    kernel: join(dir, kernel),
    initrd: initrd ? join(dir, initrd) : undefined,
    cmdline: `${base} ${kernelParameters(node, ctx)}`.trim(),
    rootfs: imageRoot,
  };
}

/** Why an image cannot boot a virtual node of `model` (no /boot/<model>/, no kernel there), or undefined. */
export function virtualBootProblem(imageRoot: string, model: string, image: string): string | undefined {
  const dir = join(imageRoot, 'boot', model);
  if (!existsSync(dir)) return `image ${image} has no /boot/${model}/: it cannot boot ${model} nodes`;
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

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { downloadDebianPackages, extractDeb, extractDebFiles, type DebianSource } from './debian-packages.js';
import { UBOOT_SCRIPT_NAME, WALT_CMDLINE_TXT, WALT_CONFIG_TXT, waltUBootScriptImage } from './walt-boot-files.js';

/** The folder a server serves to boards not registered yet: `<data dir>/tftp-static`. */
export function tftpStaticDir(dataDir: string): string {
  return join(dataDir, 'tftp-static');
}

/** The Debian packages tftp-static is made of. */
export const TFTP_STATIC_PACKAGES = ['raspi-firmware', 'u-boot-rpi', 'linux-image-arm64'] as const;

const FIRMWARE_FILES = ['bootcode.bin', 'start.elf', 'fixup.dat', 'start4.elf', 'fixup4.dat'];
/** Debian names device trees as the kernel does; the firmware looks for the Raspberry Pi names. */
const DEVICE_TREES: Array<[string, string]> = [
  ['bcm2837-rpi-3-b.dtb', 'bcm2710-rpi-3-b.dtb'],
  ['bcm2837-rpi-3-b-plus.dtb', 'bcm2710-rpi-3-b-plus.dtb'],
  ['bcm2711-rpi-4-b.dtb', 'bcm2711-rpi-4-b.dtb'],
  ['bcm2711-rpi-400.dtb', 'bcm2711-rpi-400.dtb'],
];
/** 64-bit U-Boot for the Raspberry Pi 3 and 4 families (Debian's rpi_arm64 build serves both). */
const UBOOT_IMAGES = ['u-boot-rpi-3-b.img', 'u-boot-rpi-4-b.img'];

export interface BuildResult {
  dir: string;
  files: string[];
}

/**
 * Build tftp-static from Debian's packages: the Raspberry Pi firmware (raspi-firmware,
 * non-free-firmware), U-Boot (u-boot-rpi, arm64) and the boards' device trees (the arm64 kernel
 * package), plus the WalT files that chain them. Packages are unpacked as data into a temporary
 * folder; the result replaces tftp-static in one rename.
 */
export function buildTftpStaticFromDebian(dataDir: string, source: DebianSource, log: (line: string) => void = () => undefined): BuildResult {
  const debs = downloadDebianPackages(source, TFTP_STATIC_PACKAGES, log);
  return assemble(dataDir, (work, out) => {
    const unpacked = join(work, 'unpacked');
    extractDeb(debs.get('raspi-firmware')!, unpacked);
    extractDeb(debs.get('u-boot-rpi')!, unpacked);
    extractDebFiles(debs.get('linux-image-arm64')!, unpacked, ['./usr/lib/linux-image-*/broadcom/bcm2*-rpi-*.dtb', './usr/share/doc/linux-image-*/copyright']);
    const firmware = join(unpacked, 'usr/lib/raspi-firmware');
    for (const f of FIRMWARE_FILES) copyFileSync(join(firmware, f), join(out, f));
    copyFileSync(join(unpacked, 'usr/share/doc/raspi-firmware/copyright'), join(out, 'LICENCE.broadcom'));
    const uboot = join(unpacked, 'usr/lib/u-boot/rpi_arm64/u-boot.bin');
    for (const f of UBOOT_IMAGES) copyFileSync(uboot, join(out, f));
    const kernelDir = readdirSync(join(unpacked, 'usr/lib')).find((d) => d.startsWith('linux-image-'));
    if (!kernelDir) throw new Error('the kernel package holds no device trees');
    for (const [from, to] of DEVICE_TREES) copyFileSync(join(unpacked, 'usr/lib', kernelDir, 'broadcom', from), join(out, to));
    const docs = readdirSync(join(unpacked, 'usr/share/doc')).find((d) => d.startsWith('linux-image-'));
    if (docs) copyFileSync(join(unpacked, 'usr/share/doc', docs, 'copyright'), join(out, 'COPYING.linux'));
    mkdirSync(join(out, 'overlays'));
    writeWaltFiles(out);
  });
}

/**
 * Build tftp-static from a tarball the admin names (the original's tftp-static.tar.gz, or a folder
 * of their own boards' files): its top folder `tftp-static/` (or its root) becomes tftp-static. The
 * WalT config.txt and cmdline.txt are added only where the tarball has none.
 */
export function buildTftpStaticFromTarball(dataDir: string, tarball: string): BuildResult {
  if (!existsSync(tarball) || !statSync(tarball).isFile()) throw new Error(`no such file: ${tarball}`);
  return assemble(dataDir, (work, out) => {
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    try {
      // --no-same-owner, no absolute names, no links out of the folder: data only.
      execFileSync('tar', ['-x', '-f', tarball, '-C', unpacked, '--no-same-owner', '--no-same-permissions'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
    } catch (e) {
      throw new Error(`cannot unpack ${tarball}: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim().replace(/\s*\n\s*/g, ' ')}`);
    }
    const top = readdirSync(unpacked);
    const root = top.length === 1 && top[0] === 'tftp-static' ? join(unpacked, 'tftp-static') : unpacked;
    rmSync(out, { recursive: true });
    renameSync(root, out);
    if (!existsSync(join(out, 'config.txt')) && !existsSync(join(out, 'cmdline.txt'))) writeWaltFiles(out);
    else if (!existsSync(join(out, UBOOT_SCRIPT_NAME))) writeFileSync(join(out, UBOOT_SCRIPT_NAME), waltUBootScriptImage());
  });
}

function writeWaltFiles(out: string): void {
  writeFileSync(join(out, 'config.txt'), WALT_CONFIG_TXT);
  writeFileSync(join(out, 'cmdline.txt'), WALT_CMDLINE_TXT);
  writeFileSync(join(out, UBOOT_SCRIPT_NAME), waltUBootScriptImage());
  // The original compares the last line of walt.date with its reference time to decide to rebuild.
  writeFileSync(join(out, 'walt.date'), `${new Date().toISOString()}\n${Math.floor(Date.now() / 1000)}\n`);
}

/** Fill a new folder next to tftp-static, then swap it in: a failed build leaves the old one as it was. */
function assemble(dataDir: string, fill: (work: string, out: string) => void): BuildResult {
  mkdirSync(dataDir, { recursive: true });
  const work = mkdtempSync(join(dataDir, '.tftp-static-build-'));
  try {
    const out = join(work, 'tftp-static');
    mkdirSync(out);
    fill(work, out);
    const dir = tftpStaticDir(dataDir);
    const old = join(work, 'previous');
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(out, dir);
    return { dir, files: readdirSync(dir).sort() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

import { basename, dirname } from 'node:path';
import { defineBootProtocol, imageBootPath, WALT_NODE_CLASS_PREFIX, type BootProtocol, type DhcpBootReply } from '@walt/sdk';
import { waltIpxeScript } from './ipxe-script.js';

export const IPXE_PROTOCOL_ID = 'ipxe';

/** The vendor class of BIOS PXE ROMs and of iPXE on BIOS (original WalT matches it exactly). */
export const BIOS_PXE_VENDOR_CLASS = 'PXEClient:Arch:00000:UNDI:002001';
/** TFTP name of the iPXE loader, as in the original WalT's DHCP replies. */
export const IPXE_LOADER_NAME = 'pxe/walt-x86-undionly.kpxe';
/** TFTP name of the generated script. */
export const IPXE_SCRIPT_NAME = 'pxe/walt-boot.ipxe';
export const DEFAULT_UNDIONLY_PATH = '/usr/lib/ipxe/undionly.kpxe';
/** TFTP name of the iPXE loader of x86-64 UEFI PXE firmware (iPXE over the firmware's SNP driver). */
export const IPXE_EFI_LOADER_NAME = 'pxe/walt-x86-64-snponly.efi';
export const DEFAULT_SNPONLY_PATH = '/usr/lib/ipxe/snponly.efi';
/** DHCP option 93 client architectures (RFC 4578): BIOS, and x86-64 UEFI (7, and 9 sent by some firmware). */
const BIOS_ARCH = 0;
const EFI_X64_ARCHES = [7, 9];

/**
 * Option 175 with iPXE's setting 176 "no-pxedhcp" = 1: iPXE leaves its DHCP discovery as soon as our
 * offer arrives instead of waiting (2 s and more under TCG) for ProxyDHCP offers walt-net never has.
 */
export const IPXE_NO_PXEDHCP = Uint8Array.of(176, 1, 1);

export interface IpxeProtocolOptions {
  /** Host path of undionly.kpxe (Debian's ipxe package by default). */
  undionlyPath?: string;
  /** Host path of snponly.efi (Debian's ipxe package by default). */
  snponlyPath?: string;
}

/** The architecture of a PXE request: its option 93, else the one written in its vendor class. */
function pxeArch(request: { vendorClass?: string; clientArch?: number }): number | undefined {
  if (request.clientArch !== undefined) return request.clientArch;
  const m = /^PXEClient:Arch:(\d{5})/.exec(request.vendorClass ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * PCs. A BIOS PXE ROM (architecture 0) gets the iPXE loader undionly.kpxe, x86-64 UEFI firmware
 * (architecture 7 or 9) gets snponly.efi; the chain after the loader is the same. iPXE then asks DHCP with user class
 * "iPXE" and gets the generated script, which sets the user class walt.node.pc-x86-(64|32) and
 * asks again: that request gets no boot file, and the script chains start.ipxe from the image.
 *
 * A PC whose ROM is already iPXE (qemu, many NICs) sends user class "iPXE" on its first request:
 * it gets the script at once, without loading a second iPXE over itself (a PXE DHCP, a TFTP
 * transfer and iPXE's start-up: 20-30 s of a TCG boot). No reply sends a PC back to a loader
 * from iPXE: there is no loop. Replies to iPXE say "no-pxedhcp" (IPXE_NO_PXEDHCP).
 */
export function ipxeProtocol(options: IpxeProtocolOptions = {}): BootProtocol {
  const undionly = options.undionlyPath ?? DEFAULT_UNDIONLY_PATH;
  const snponly = options.snponlyPath ?? DEFAULT_SNPONLY_PATH;
  return defineBootProtocol({
    id: IPXE_PROTOCOL_ID,
    description: 'PXE/iPXE: BIOS PXE gets undionly.kpxe, x86-64 UEFI PXE snponly.efi, iPXE gets a script that identifies the PC and chains start.ipxe',
    order: 10,
    claims: (request, ctx) => {
      if (!request.vendorClass?.startsWith('PXEClient:Arch:')) return false;
      const arch = pxeArch(request);
      if (arch !== BIOS_ARCH && !EFI_X64_ARCHES.includes(arch!)) return false;
      if (request.userClass?.startsWith(WALT_NODE_CLASS_PREFIX)) return true;
      // Boards that netboot from firmware (Raspberry Pi) send the same class: not PCs.
      return ctx.macPrefixModels(request.mac).length === 0;
    },
    reply: (request): DhcpBootReply => {
      if (request.userClass?.startsWith(WALT_NODE_CLASS_PREFIX)) return { ipxeOptions: IPXE_NO_PXEDHCP }; // our script runs: no boot file
      if (request.userClass === 'iPXE') return { bootFile: IPXE_SCRIPT_NAME, ipxeOptions: IPXE_NO_PXEDHCP };
      return { bootFile: EFI_X64_ARCHES.includes(pxeArch(request)!) ? IPXE_EFI_LOADER_NAME : IPXE_LOADER_NAME };
    },
    identify: (request) =>
      request.userClass?.startsWith(WALT_NODE_CLASS_PREFIX) ? request.userClass.slice(WALT_NODE_CLASS_PREFIX.length) || undefined : undefined,
    resolveTftp: (ctx) => {
      // Any name with "undionly" is the loader, as in the original's tftpd-hpa map file.
      if (ctx.name === IPXE_LOADER_NAME || /undionly/.test(ctx.name)) return { kind: 'static', root: dirname(undionly), path: basename(undionly) };
      if (ctx.name === IPXE_EFI_LOADER_NAME) return { kind: 'static', root: dirname(snponly), path: basename(snponly) };
      if (ctx.name === IPXE_SCRIPT_NAME) return { kind: 'generated', content: new TextEncoder().encode(waltIpxeScript()) };
      if (!ctx.node) return undefined;
      // Legacy name of old WalT USB sticks.
      const name = ctx.name === 'boot/pc-x86-64.ipxe' ? 'start.ipxe' : ctx.name;
      return { kind: 'image', path: imageBootPath(ctx.node.model, name) };
    },
  });
}

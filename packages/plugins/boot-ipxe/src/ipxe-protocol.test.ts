import { describe, expect, it } from 'vitest';
import type { DhcpBootContext, DhcpRequestView, TftpRequestContext } from '@walt/sdk';
import { createTestContext } from '@walt/sdk/testing';
import plugin from './index.js';
import { BIOS_PXE_VENDOR_CLASS, IPXE_EFI_LOADER_NAME, IPXE_LOADER_NAME, IPXE_NO_PXEDHCP, IPXE_SCRIPT_NAME, ipxeProtocol } from './ipxe-protocol.js';
import { waltIpxeScript } from './ipxe-script.js';

const ctx: DhcpBootContext = {
  serverIp: '192.168.152.1',
  isKnownModel: () => true,
  macPrefixModels: (mac) => (mac.startsWith('b8:27:eb') ? ['rpi-3-b-plus'] : []),
};
const pc = '52:54:00:12:34:56';
const req = (o: Partial<DhcpRequestView>): DhcpRequestView => ({ kind: 'DISCOVER', mac: pc, parameterRequestList: [], ...o });
const pxe = (o: Partial<DhcpRequestView> = {}) => req({ vendorClass: BIOS_PXE_VENDOR_CLASS, clientArch: 0, ...o });
const tftp = (name: string, node?: { model: string }): TftpRequestContext => ({
  clientIp: '192.168.152.20',
  name,
  serverIp: '192.168.152.1',
  staticDir: '/data/tftp-static',
  node: node ? { mac: pc, name: 'node-123456', model: node.model, image: `waltplatform/${node.model}-default:latest` } : undefined,
});

describe('boot-ipxe', () => {
  it('gives the iPXE loader to a BIOS PXE ROM', () => {
    const p = ipxeProtocol();
    expect(p.claims(pxe(), ctx)).toBe(true);
    expect(p.reply(pxe(), ctx)).toEqual({ bootFile: IPXE_LOADER_NAME });
  });

  it('gives snponly.efi to x86-64 UEFI PXE firmware, then the same chain (script, start.ipxe)', () => {
    const p = ipxeProtocol();
    const efi = (o: Partial<DhcpRequestView> = {}) => req({ vendorClass: 'PXEClient:Arch:00007:UNDI:003000', clientArch: 7, ...o });
    expect(p.claims(efi(), ctx)).toBe(true);
    expect(p.claims(efi({ clientArch: 9 }), ctx)).toBe(true);
    expect(p.reply(efi({ kind: 'REQUEST' }), ctx)).toEqual({ bootFile: IPXE_EFI_LOADER_NAME });
    // iPXE (EFI build) asks with its own class and user class iPXE: the script.
    expect(p.reply(efi({ vendorClass: 'PXEClient:Arch:00007:UNDI:003010', userClass: 'iPXE' }), ctx).bootFile).toBe(IPXE_SCRIPT_NAME);
    const identified = efi({ userClass: 'walt.node.pc-x86-64', kind: 'REQUEST' });
    expect(p.claims(identified, ctx)).toBe(true);
    expect(p.reply(identified, ctx)).toEqual({ ipxeOptions: IPXE_NO_PXEDHCP });
    expect(p.resolveTftp!(tftp(IPXE_EFI_LOADER_NAME))).toEqual({ kind: 'static', root: '/usr/lib/ipxe', path: 'snponly.efi' });
  });

  it('does not claim 32-bit or ARM UEFI PXE, Raspberry Pi firmware, or plain clients', () => {
    const p = ipxeProtocol();
    expect(p.claims(pxe({ vendorClass: 'PXEClient:Arch:00006:UNDI:003000', clientArch: 6 }), ctx)).toBe(false);
    expect(p.claims(pxe({ vendorClass: 'PXEClient:Arch:00011:UNDI:003000', clientArch: 11 }), ctx)).toBe(false);
    expect(p.claims(pxe({ mac: 'b8:27:eb:f2:67:82' }), ctx)).toBe(false);
    expect(p.claims(req({}), ctx)).toBe(false);
    expect(p.claims(req({ vendorClass: 'walt.node.rpi-3-b-plus' }), ctx)).toBe(false);
  });

  it('runs the chain ROM -> loader -> script -> start.ipxe without a loop', () => {
    const p = ipxeProtocol();
    // A plain PXE ROM gets the loader, on every request.
    expect(p.reply(pxe(), ctx)).toEqual({ bootFile: IPXE_LOADER_NAME });
    expect(p.reply(pxe({ kind: 'REQUEST' }), ctx)).toEqual({ bootFile: IPXE_LOADER_NAME });
    // The loader's own DHCP (user class iPXE): the script, and no wait for ProxyDHCP offers.
    expect(p.reply(pxe({ userClass: 'iPXE', kind: 'REQUEST' }), ctx)).toEqual({ bootFile: IPXE_SCRIPT_NAME, ipxeOptions: IPXE_NO_PXEDHCP });
    // The script's DHCP with walt.node.pc-x86-64: claimed, no boot file (no loop), model identified.
    const identified = pxe({ userClass: 'walt.node.pc-x86-64', kind: 'REQUEST' });
    expect(p.claims(identified, ctx)).toBe(true);
    expect(p.reply(identified, ctx)).toEqual({ ipxeOptions: IPXE_NO_PXEDHCP });
    expect(p.identify!(identified)).toBe('pc-x86-64');
  });

  it('an iPXE ROM (qemu, many NICs) gets the script on its first request, not a second iPXE', () => {
    const p = ipxeProtocol();
    expect(p.reply(pxe({ userClass: 'iPXE' }), ctx)).toEqual({ bootFile: IPXE_SCRIPT_NAME, ipxeOptions: IPXE_NO_PXEDHCP });
    expect(p.reply(pxe({ userClass: 'iPXE', kind: 'REQUEST' }), ctx)).toEqual({ bootFile: IPXE_SCRIPT_NAME, ipxeOptions: IPXE_NO_PXEDHCP });
  });

  it('no-pxedhcp is option 175 holding iPXE setting 176 = 1', () => {
    expect([...IPXE_NO_PXEDHCP]).toEqual([176, 1, 1]);
  });

  it('serves the loader from the configured file, the generated script, and node files from the image', () => {
    const p = ipxeProtocol({ undionlyPath: '/opt/ipxe/undionly.kpxe' });
    expect(p.resolveTftp!(tftp(IPXE_LOADER_NAME))).toEqual({ kind: 'static', root: '/opt/ipxe', path: 'undionly.kpxe' });
    const script = p.resolveTftp!(tftp(IPXE_SCRIPT_NAME));
    expect(script?.kind).toBe('generated');
    expect(new TextDecoder().decode((script as { content: Uint8Array }).content)).toBe(waltIpxeScript());
    expect(p.resolveTftp!(tftp('start.ipxe', { model: 'pc-x86-64' }))).toEqual({ kind: 'image', path: 'boot/pc-x86-64/start.ipxe' });
    expect(p.resolveTftp!(tftp('boot/pc-x86-64.ipxe', { model: 'pc-x86-64' }))).toEqual({ kind: 'image', path: 'boot/pc-x86-64/start.ipxe' });
    expect(p.resolveTftp!(tftp('start.ipxe'))).toBeUndefined();
  });

  it('the script sets the user class from cpuid and chains start.ipxe', () => {
    const s = waltIpxeScript();
    expect(s.startsWith('#!ipxe\n')).toBe(true);
    expect(s).toContain('cpuid --ext 29 && set user-class walt.node.pc-x86-64 || set user-class walt.node.pc-x86-32');
    expect(s).toMatch(/\nifconf --configurator dhcp \|\| dhcp \|\| reboot\n[^\n]*chain tftp:\/\/\$\{next-server\}\/start\.ipxe/);
  });

  it('is a plugin with an undionly-path setting', async () => {
    const protocols: string[] = [];
    const context = createTestContext({ settings: { 'undionly-path': '/usr/lib/ipxe/undionly.kpxe' } });
    await plugin.register({ context, bootProtocol: (x: { id: string }) => protocols.push(x.id) } as never);
    expect(protocols).toEqual(['ipxe']);
    expect(plugin.settings?.['undionly-path']).toMatchObject({ default: '/usr/lib/ipxe/undionly.kpxe' });
  });
});

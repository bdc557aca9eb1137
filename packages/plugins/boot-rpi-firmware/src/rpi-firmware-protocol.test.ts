import { describe, expect, it } from 'vitest';
import type { DhcpBootContext, DhcpRequestView, TftpRequestContext } from '@walt/sdk';
import { createTestContext } from '@walt/sdk/testing';
import plugin from './index.js';
import { pxeMenuOption } from './pxe-menu.js';
import { rpiFirmwareProtocol } from './rpi-firmware-protocol.js';
import { isRaspberryPiMac, RPI_FOUNDATION_OUIS } from './rpi-ouis.js';

const ctx: DhcpBootContext = { serverIp: '192.168.152.1', isKnownModel: () => true, macPrefixModels: () => [] };
const rpi = 'dc:a6:32:01:02:03';
const req = (o: Partial<DhcpRequestView>): DhcpRequestView => ({
  kind: 'DISCOVER',
  mac: rpi,
  vendorClass: 'PXEClient:Arch:00000:UNDI:002001',
  clientArch: 0,
  parameterRequestList: [],
  ...o,
});
const tftp = (o: Partial<TftpRequestContext>): TftpRequestContext => ({
  clientIp: '192.168.152.30',
  name: 'bootcode.bin',
  serverIp: '192.168.152.1',
  staticDir: '/data/tftp-static',
  ...o,
});

describe('boot-rpi-firmware', () => {
  const p = rpiFirmwareProtocol();

  it('owns the Raspberry Pi OUIs: lowercase, zero-padded, no duplicate; MACs matched case-insensitively', () => {
    expect(RPI_FOUNDATION_OUIS.length).toBeGreaterThanOrEqual(7);
    for (const oui of RPI_FOUNDATION_OUIS) expect(oui).toMatch(/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(new Set(RPI_FOUNDATION_OUIS).size).toBe(RPI_FOUNDATION_OUIS.length);
    expect(Object.isFrozen(RPI_FOUNDATION_OUIS)).toBe(true);
    expect(isRaspberryPiMac('B8:27:EB:F2:67:82')).toBe(true); // a 3B+
    expect(isRaspberryPiMac('E4:5F:01:AA:BB:CC')).toBe(true);
    expect(isRaspberryPiMac('e4:5f:10:aa:bb:cc')).toBe(false);
  });

  it('claims PXEClient requests from Raspberry Pi MACs only', () => {
    expect(p.claims(req({}), ctx)).toBe(true);
    expect(p.claims(req({ vendorClass: 'PXEClient' }), ctx)).toBe(true);
    expect(p.claims(req({ mac: '52:54:00:12:34:56' }), ctx)).toBe(false);
    expect(p.claims(req({ vendorClass: 'walt.node.rpi-4-b' }), ctx)).toBe(false);
    expect(p.claims(req({ vendorClass: undefined }), ctx)).toBe(false);
  });

  it('replies with vendor class PXEClient and the "Raspberry Pi Boot" PXE menu in option 43', () => {
    const r = p.reply(req({}), ctx);
    expect(r.vendorClass).toBe('PXEClient');
    const text = Buffer.from('Raspberry Pi Boot');
    expect(Buffer.from(r.vendorOptions!)).toEqual(Buffer.concat([Buffer.from([9, 20, 0, 0, 17]), text, Buffer.from([255])]));
    expect(r.bootFile).toBeUndefined();
  });

  it('serves boards not registered yet from the static folder, registered nodes from their image', () => {
    expect(p.resolveTftp!(tftp({}))).toEqual({ kind: 'static', root: '/data/tftp-static', path: 'bootcode.bin' });
    expect(p.resolveTftp!(tftp({ device: { mac: rpi, name: 'unknown-010203', type: 'unknown' } }))).toEqual({ kind: 'static', root: '/data/tftp-static', path: 'bootcode.bin' });
    expect(p.resolveTftp!(tftp({ device: { mac: '52:54:00:12:34:56', name: 'unknown-123456', type: 'unknown' } }))).toBeUndefined();
    const node = { mac: rpi, name: 'node-010203', model: 'rpi-4-b', image: 'waltplatform/rpi-4-b-default:latest' };
    expect(p.resolveTftp!(tftp({ node, name: 'start4.elf' }))).toEqual({ kind: 'image', path: 'boot/rpi-4-b/start4.elf' });
  });

  it('honours a static-dir setting', async () => {
    const protocols: Array<{ id: string; resolveTftp?: (c: TftpRequestContext) => unknown }> = [];
    const context = createTestContext({ settings: { 'static-dir': '/srv/rpi' } });
    await plugin.register({ context, bootProtocol: (x: never) => protocols.push(x) } as never);
    expect(protocols.map((x) => x.id)).toEqual(['rpi-firmware']);
    expect(protocols[0].resolveTftp!(tftp({}))).toEqual({ kind: 'static', root: '/srv/rpi', path: 'bootcode.bin' });
  });

  it('encodes a PXE menu with its type and length', () => {
    expect(Array.from(pxeMenuOption('ab', 0x1234))).toEqual([9, 5, 0x12, 0x34, 2, 97, 98, 255]);
  });
});

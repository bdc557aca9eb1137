import { describe, expect, it } from 'vitest';
import type { DhcpBootContext, DhcpRequestView, TftpRequestContext } from '@walt/sdk';
import plugin from './index.js';
import { ubootProtocol } from './uboot-protocol.js';

const ctx: DhcpBootContext = { serverIp: '192.168.152.1', isKnownModel: () => true, macPrefixModels: () => [] };
const req = (o: Partial<DhcpRequestView>): DhcpRequestView => ({ kind: 'DISCOVER', mac: 'b8:27:eb:f2:67:82', parameterRequestList: [], ...o });
const tftp = (name: string, node = true): TftpRequestContext => ({
  clientIp: '192.168.152.14',
  name,
  serverIp: '192.168.152.1',
  staticDir: '/var/lib/walt/tftp-static',
  node: node ? { mac: 'b8:27:eb:f2:67:82', name: 'node-f26782', model: 'rpi-3-b-plus', image: 'waltplatform/rpi-3-b-plus-default:latest' } : undefined,
});

describe('boot-uboot', () => {
  const p = ubootProtocol();

  it('claims walt.node.<model> in the vendor class or the user class, and identifies the model', () => {
    expect(p.claims(req({ vendorClass: 'walt.node.rpi-3-b-plus' }), ctx)).toBe(true);
    expect(p.claims(req({ userClass: 'walt.node.coral-dev-board' }), ctx)).toBe(true);
    expect(p.identify!(req({ vendorClass: 'walt.node.rpi-3-b-plus' }))).toBe('rpi-3-b-plus');
    expect(p.identify!(req({ vendorClass: 'walt.node.rpi-2-b', userClass: 'walt.node.rpi-3-b' }))).toBe('rpi-3-b');
  });

  it('does not claim other requests', () => {
    expect(p.claims(req({}), ctx)).toBe(false);
    expect(p.claims(req({ vendorClass: 'PXEClient:Arch:00000:UNDI:002001' }), ctx)).toBe(false);
    expect(p.claims(req({ vendorClass: 'walt.node.' }), ctx)).toBe(false);
    expect(p.claims(req({ vendorClass: 'udhcp 1.35.0' }), ctx)).toBe(false);
  });

  it('replies with no boot file (U-Boot fetches start.uboot by itself)', () => {
    expect(p.reply(req({ vendorClass: 'walt.node.rpi-3-b-plus' }), ctx)).toEqual({});
  });

  it("resolves a node's TFTP names to its image's /boot/<model>/ folder", () => {
    expect(p.resolveTftp!(tftp('start.uboot'))).toEqual({ kind: 'image', path: 'boot/rpi-3-b-plus/start.uboot' });
    expect(p.resolveTftp!(tftp('kernel'))).toEqual({ kind: 'image', path: 'boot/rpi-3-b-plus/kernel' });
    expect(p.resolveTftp!(tftp('boot/rpi-3-b.uboot'))).toEqual({ kind: 'image', path: 'boot/rpi-3-b-plus/start.uboot' });
  });

  it('leaves names of devices that are not nodes to other protocols', () => {
    expect(p.resolveTftp!(tftp('start.uboot', false))).toBeUndefined();
  });

  it('is a plugin that registers the uboot protocol', async () => {
    const protocols: string[] = [];
    await plugin.register({ bootProtocol: (x: { id: string }) => protocols.push(x.id) } as never);
    expect(plugin.name).toBe('@walt/plugin-boot-uboot');
    expect(protocols).toEqual(['uboot']);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultImageOf, modelFromClasses } from '@walt/sdk';
import { checkNodeModelPlugin, createTestContext } from '@walt/sdk/testing';
import plugin from './index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

describe('walt-plugin-beaglebone-black', () => {
  it('names itself as its package does', () => {
    expect(plugin.name).toBe(pkg.name);
    expect(plugin.version).toBe(pkg.version);
    expect(plugin.apiVersion).toBe(1);
  });

  it('registers the beaglebone-black model, booted by U-Boot from start.uboot', async () => {
    const ctx = createTestContext({ name: plugin.name });
    const { nodeModels, bootProtocols, switchDrivers } = await ctx.register(plugin);
    expect(nodeModels).toHaveLength(1);
    const [model] = nodeModels;
    expect(model).toMatchObject({ id: 'beaglebone-black', family: 'beaglebone', bootProtocol: 'uboot', bootFiles: ['start.uboot'] });
    expect(defaultImageOf(model)).toBe('waltplatform/beaglebone-black-default:latest');
    expect(model.capabilities?.poePowered).toBe(false);
    // U-Boot announces the model in the DHCP vendor class: no MAC prefixes needed.
    expect(model.macPrefixes ?? []).toEqual([]);
    expect(modelFromClasses({ vendorClass: 'walt.node.beaglebone-black' })).toBe(model.id);
    // The boot protocol is the server's own `uboot`: the plugin brings none, nor any switch driver.
    expect(bootProtocols).toEqual([]);
    expect(switchDrivers).toEqual([]);
    expect(ctx.lines).toEqual(['debug: node model beaglebone-black registered']);
  });

  it('contributes a help topic with the install instructions', async () => {
    const { helpTopics } = await createTestContext().register(plugin);
    expect(helpTopics.map((t) => t.name)).toEqual(['install-beaglebone-black']);
    const [topic] = helpTopics;
    expect(topic.markdown).toContain('walt-server plugins add walt-plugin-beaglebone-black');
    expect(topic.markdown).toContain('setenv bootp_vci walt.node.beaglebone-black');
    expect(topic.markdown).toContain('${scriptaddr}');
  });

  it('passes the checks every node-model plugin should (see new-node-support)', async () => {
    expect(await checkNodeModelPlugin(plugin, { 'beaglebone-black': { bootProtocol: 'uboot', bootFiles: ['start.uboot'], poePowered: false } })).toEqual([]);
  });
});

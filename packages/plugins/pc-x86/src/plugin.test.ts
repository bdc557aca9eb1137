import { describe, expect, it } from 'vitest';
import { defaultImageOf, type HelpTopic, type NodeModel } from '@walt/sdk';
import { createTestContext } from '@walt/sdk/testing';
import plugin from './index.js';

const expected: Record<string, { bootProtocol: string; poe: boolean; ouis: boolean; files: string[] }> = {
  'pc-x86-64': { bootProtocol: 'ipxe', poe: false, ouis: false, files: ['start.ipxe'] },
  'pc-x86-32': { bootProtocol: 'ipxe', poe: false, ouis: false, files: ['start.ipxe'] },
};

async function registered() {
  const models: NodeModel[] = [];
  const topics: HelpTopic[] = [];
  await plugin.register({
    context: createTestContext(),
    apiVersion: 1,
    nodeModel: (m: NodeModel) => models.push(m),
    helpTopic: (t: HelpTopic) => topics.push(t),
    bootProtocol: () => {
      throw new Error('a node-model plugin contributes no boot protocol');
    },
    switchDriver: () => {
      throw new Error('a node-model plugin contributes no switch driver');
    },
    onReady: () => undefined,
    onShutdown: () => undefined,
  });
  return { models, topics };
}

describe(plugin.name, () => {
  it('registers its models with the original WalT ids, boot protocol, boot files and capabilities', async () => {
    const { models } = await registered();
    expect(models.map((m) => m.id).sort()).toEqual(Object.keys(expected).sort());
    for (const m of models) {
      const e = expected[m.id];
      expect(m.bootProtocol).toBe(e.bootProtocol);
      expect(m.bootFiles).toEqual(e.files);
      expect(m.capabilities?.poePowered ?? false).toBe(e.poe);
      expect(defaultImageOf(m)).toBe(`waltplatform/${m.id}-default:latest`);
      if (e.ouis) expect(m.macPrefixes).toEqual(['28:cd:c1', 'b8:27:eb', 'd8:3a:dd', 'dc:a6:32', 'e4:5f:01', '2c:cf:67', '88:a2:9e']);
      else expect(m.macPrefixes ?? []).toEqual([]);
    }
  });

  it('ships an install help topic that names every model it covers', async () => {
    const { models, topics } = await registered();
    expect(topics).toHaveLength(1);
    expect(topics[0].name).toMatch(/^install-[a-z0-9-]+$/);
    expect(topics[0].markdown.startsWith(`# ${topics[0].title}`)).toBe(true);
    for (const m of models) expect(topics[0].markdown).toContain(m.id);
    expect(topics[0].markdown).toContain('walt node show --all');
  });
});

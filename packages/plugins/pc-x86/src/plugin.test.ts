import { describe, expect, it } from 'vitest';
import { checkNodeModelPlugin, type ExpectedNodeModel } from '@walt/sdk/testing';
import plugin from './index.js';

const expected: Record<string, ExpectedNodeModel> = {
  'pc-x86-64': { bootProtocol: 'ipxe', bootFiles: ['start.ipxe'], poePowered: false },
  'pc-x86-32': { bootProtocol: 'ipxe', bootFiles: ['start.ipxe'], poePowered: false },
};

describe(plugin.name, () => {
  it('registers its models (original WalT ids, boot protocol, boot files, capabilities) and an install topic', async () => {
    expect(await checkNodeModelPlugin(plugin, expected)).toEqual([]);
  });
});

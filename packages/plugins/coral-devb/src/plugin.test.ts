import { describe, expect, it } from 'vitest';
import { checkNodeModelPlugin, type ExpectedNodeModel } from '@walt/sdk/testing';
import plugin from './index.js';

const expected: Record<string, ExpectedNodeModel> = {
  'coral-dev-board': { bootProtocol: 'uboot', bootFiles: ['start.uboot'], poePowered: true },
};

describe(plugin.name, () => {
  it('registers its models (original WalT ids, boot protocol, boot files, capabilities) and an install topic', async () => {
    expect(await checkNodeModelPlugin(plugin, expected)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { checkNodeModelPlugin, type ExpectedNodeModel } from '@walt/sdk/testing';
import plugin from './index.js';

const expected: Record<string, ExpectedNodeModel> = {
  'rpi-b': { bootProtocol: 'uboot', bootFiles: ['start.uboot'], poePowered: true },
  'rpi-b-plus': { bootProtocol: 'uboot', bootFiles: ['start.uboot'], poePowered: true },
  'rpi-2-b': { bootProtocol: 'uboot', bootFiles: ['start.uboot'], poePowered: true },
  'rpi-3-b': { bootProtocol: 'uboot', bootFiles: ['start.uboot'], poePowered: true },
};

describe(plugin.name, () => {
  it('registers its models (original WalT ids, boot protocol, boot files, capabilities) and an install topic', async () => {
    expect(await checkNodeModelPlugin(plugin, expected)).toEqual([]);
  });
});

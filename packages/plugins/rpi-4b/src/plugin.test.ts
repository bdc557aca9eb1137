import { describe, expect, it } from 'vitest';
import { checkNodeModelPlugin, type ExpectedNodeModel } from '@walt/sdk/testing';
import plugin from './index.js';

/** Raspberry Pi Foundation OUIs: firmware netboot is recognised by MAC. */
const RPI_FOUNDATION_OUIS = ['28:cd:c1', 'b8:27:eb', 'd8:3a:dd', 'dc:a6:32', 'e4:5f:01', '2c:cf:67', '88:a2:9e'];

const expected: Record<string, ExpectedNodeModel> = {
  'rpi-4-b': { bootProtocol: 'rpi-firmware', bootFiles: ['start4.elf', 'fixup4.dat', 'config.txt', 'start.uboot'], poePowered: true, macPrefixes: RPI_FOUNDATION_OUIS },
  'rpi-400': { bootProtocol: 'rpi-firmware', bootFiles: ['start4.elf', 'fixup4.dat', 'config.txt', 'start.uboot'], poePowered: false, macPrefixes: RPI_FOUNDATION_OUIS },
};

describe(plugin.name, () => {
  it('registers its models (original WalT ids, boot protocol, boot files, capabilities) and an install topic', async () => {
    expect(await checkNodeModelPlugin(plugin, expected)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { RPI_FOUNDATION_OUIS } from '@walt/plugin-boot-rpi-firmware';
import { checkNodeModelPlugin, type ExpectedNodeModel } from '@walt/sdk/testing';
import plugin from './index.js';

// The models declare the OUIs of the package that owns them (the firmware boot protocol).

const expected: Record<string, ExpectedNodeModel> = {
  'rpi-4-b': { bootProtocol: 'rpi-firmware', bootFiles: ['start4.elf', 'fixup4.dat', 'config.txt', 'start.uboot'], poePowered: true, macPrefixes: RPI_FOUNDATION_OUIS },
  'rpi-400': { bootProtocol: 'rpi-firmware', bootFiles: ['start4.elf', 'fixup4.dat', 'config.txt', 'start.uboot'], poePowered: false, macPrefixes: RPI_FOUNDATION_OUIS },
};

describe(plugin.name, () => {
  it('registers its models (original WalT ids, boot protocol, boot files, capabilities) and an install topic', async () => {
    expect(await checkNodeModelPlugin(plugin, expected)).toEqual([]);
  });
});

import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { addStubs } from '../stub-commands.js';
import { registerDeviceShow } from './show.js';
import { registerDeviceRename } from './rename.js';
import { registerDeviceConfig } from './config.js';
import { registerDeviceForget } from './forget.js';
import { registerDeviceTree } from './tree.js';
import { registerDeviceRescan } from './rescan.js';
import { registerDevicePortConfig } from './port-config.js';
import { registerPing } from '../node/ping.js';
import { registerExpose } from '../node/expose.js';

export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  const device = program.command('device').description('management of WalT platform devices');
  registerDeviceShow(device, ctx);
  registerDeviceRename(device, ctx);
  registerDeviceConfig(device, ctx);
  registerDeviceForget(device, ctx);
  registerDeviceTree(device, ctx);
  registerDeviceRescan(device, ctx);
  registerDevicePortConfig(device, ctx);
  registerPing(device, ctx, 'devices');
  registerExpose(device, ctx, 'devices');
  addStubs(device, [
    { name: 'shell', args: '<device-name>', description: 'run an interactive shell on a device', options: [['--user <user>', 'ssh user name']] },
  ]);
}

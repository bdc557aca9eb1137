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

export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  const device = program.command('device').description('management of WalT platform devices');
  registerDeviceShow(device, ctx);
  registerDeviceRename(device, ctx);
  registerDeviceConfig(device, ctx);
  registerDeviceForget(device, ctx);
  registerDeviceTree(device, ctx);
  registerDeviceRescan(device, ctx);
  registerDevicePortConfig(device, ctx);
  addStubs(device, [
    { name: 'shell', args: '<device-name>', description: 'run an interactive shell on a device', options: [['--user <user>', 'ssh user name']] },
    { name: 'ping', args: '<device-name>', description: 'check that a device is reachable' },
    { name: 'expose', args: '<device-name> <device-port> <local-port>', description: 'forward a local TCP port to a device port' },
  ]);
}

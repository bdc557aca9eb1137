import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { addStubs } from '../stub-commands.js';
import { registerNodeShow } from './show.js';
import { registerNodeAcquire } from './acquire.js';
import { registerNodeRelease } from './release.js';
import { registerNodeBoot } from './boot.js';
import { registerNodeConfig } from './config.js';
import { registerNodeRename } from './rename.js';
import { registerNodeReboot } from './reboot.js';
import { registerNodeCreate } from './create.js';
import { registerNodeRemove } from './remove.js';
import { registerNodeConsole } from './console.js';
import { registerNodeWait } from './wait.js';

export function registerNodeCommands(program: Command, ctx: CliContext): void {
  const node = program.command('node').description('management of WalT nodes');
  registerNodeShow(node, ctx);
  registerNodeAcquire(node, ctx);
  registerNodeRelease(node, ctx);
  registerNodeBoot(node, ctx);
  registerNodeConfig(node, ctx);
  registerNodeRename(node, ctx);
  registerNodeReboot(node, ctx);
  registerNodeCreate(node, ctx);
  registerNodeRemove(node, ctx);
  registerNodeConsole(node, ctx);
  registerNodeWait(node, ctx);
  addStubs(node, [
    { name: 'shell', args: '<node-name>', description: 'run an interactive shell on a node' },
    { name: 'run', args: '<node-set> <cmd...>', description: 'run a command on nodes', options: [['--term', 'allocate a terminal']] },
    { name: 'cp', args: '<src> <dst>', description: 'copy files between the client and a node' },
    { name: 'save', args: '<node-name> <image-name>', description: 'save the changes made on a node as an image' },
    { name: 'ping', args: '<node-name>', description: 'check that a node is reachable' },
    { name: 'blink', args: '<node-name> [duration]', description: 'make a node blink' },
    { name: 'expose', args: '<node-name> <node-port> <local-port>', description: 'forward a local TCP port to a node port' },
  ]);
}

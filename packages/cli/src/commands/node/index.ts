import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { addStubs } from '../stub-commands.js';

export function registerNodeCommands(program: Command, _ctx: CliContext): void {
  const node = program.command('node').description('management of WalT nodes');
  addStubs(node, [
    { name: 'show', description: 'display your nodes (--all: free nodes and others\' too)', options: [['--all', 'show all nodes'], ['--names-only', 'print names only'], ['--json', 'print as JSON']] },
    { name: 'acquire', args: '<node-set>', description: 'get ownership of nodes' },
    { name: 'release', args: '<node-set>', description: 'release nodes (boot their default image)' },
    { name: 'boot', args: '<node-set> <image-name-or-default>', description: 'let nodes boot an image', options: [['--yes', 'do not ask for confirmation']] },
    { name: 'deploy', args: '<node-set> <image-name-or-default>', description: 'alias of boot' },
    { name: 'reboot', args: '<node-set>', description: 'reboot nodes', options: [['--hard', 'power-cycle (PoE) only']] },
    { name: 'config', args: '<node-set> [settings...]', description: 'get or set node settings (name=value)' },
    { name: 'rename', args: '<old-name> <new-name>', description: 'rename a node' },
    { name: 'create', args: '<node-name>', description: 'create a virtual node' },
    { name: 'remove', args: '<node-name>', description: 'remove a virtual node' },
    { name: 'wait', args: '<node-set>', description: 'wait until nodes are booted', options: [['--timeout <seconds>', 'give up after this many seconds']] },
    { name: 'shell', args: '<node-name>', description: 'run an interactive shell on a node' },
    { name: 'run', args: '<node-set> <cmd...>', description: 'run a command on nodes', options: [['--term', 'allocate a terminal']] },
    { name: 'cp', args: '<src> <dst>', description: 'copy files between the client and a node' },
    { name: 'save', args: '<node-name> <image-name>', description: 'save the changes made on a node as an image' },
    { name: 'ping', args: '<node-name>', description: 'check that a node is reachable' },
    { name: 'console', args: '<node-name>', description: 'connect to the console of a virtual node' },
    { name: 'blink', args: '<node-name> [duration]', description: 'make a node blink' },
    { name: 'expose', args: '<node-name> <node-port> <local-port>', description: 'forward a local TCP port to a node port' },
  ]);
}

import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { addStubs } from '../stub-commands.js';

export function registerLogCommands(program: Command, _ctx: CliContext): void {
  const log = program.command('log').description('management of logs');
  addStubs(log, [
    { name: 'show', args: '[logline-regexp]', description: 'dump logs on standard output', options: [['--realtime', 'follow new lines'], ['--history <range>', 'history range'], ['--platform', 'platform logs'], ['--server', 'server daemon logs'], ['--issuers <set>', 'issuers'], ['--streams <regexp>', 'streams'], ['--format <format>', 'line format']] },
    { name: 'wait', args: '<logline-regexp>', description: 'wait for a log line', options: [['--mode <mode>', 'ANY or ALL'], ['--timeout <seconds>', 'timeout'], ['--time-margin <seconds>', 'also scan the last seconds']] },
    { name: 'add-checkpoint', args: '<checkpoint-name>', description: 'record a checkpoint', options: [['--date <date>', 'checkpoint date']] },
    { name: 'remove-checkpoint', args: '<checkpoint-name>', description: 'remove a checkpoint' },
    { name: 'list-checkpoints', description: 'list your checkpoints', options: [['--json', 'print as JSON']] },
  ]);
}

import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { addStubs } from '../stub-commands.js';

export function registerImageCommands(program: Command, _ctx: CliContext): void {
  const image = program.command('image').description('management of WalT-nodes operating system images');
  addStubs(image, [
    { name: 'show', description: 'display your working set of images', options: [['--all', 'all images of the platform'], ['--refresh', 'resync with the image engine'], ['--names-only', 'print names only'], ['--json', 'print as JSON']] },
    { name: 'search', args: '[keyword]', description: 'search remote registries for clonable images', options: [['--json', 'print as JSON']] },
    { name: 'clone', args: '<clonable-image-link> [image-name]', description: 'clone a remote image into your working set', options: [['--force', 'overwrite an image with the same name']] },
    { name: 'rename', args: '<image-name> <new-image-name>', description: 'rename an image' },
    { name: 'duplicate', args: '<image-name> <new-image-name>', description: 'duplicate an image' },
    { name: 'remove', args: '<image-name>', description: 'remove an image' },
    { name: 'publish', args: '<image-name>', description: 'publish an image to a registry', options: [['--registry <label>', 'registry label (default: auto)']] },
    { name: 'cp', args: '<src> <dst>', description: 'copy files between the client and an image' },
    { name: 'shell', args: '<image-name>', description: 'modify an image through a shell' },
    { name: 'build', args: '<image-name>', description: 'build an image from a Dockerfile', options: [['--from-url <git-url>', 'git repository'], ['--from-dir <dir>', 'local directory'], ['--sub-dir <path>', 'sub-directory of the repository']] },
    { name: 'squash', args: '<image-name>', description: 'squash all layers of an image into one' },
  ]);
}

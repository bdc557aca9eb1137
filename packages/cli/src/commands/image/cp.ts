import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { downloadTar, uploadTar } from './image-requests.js';

/** `<image>[:<tag>]:/<path>` (the path in the image is absolute). */
const IMAGE_PATH = /^([a-z0-9][a-z0-9-]*(?::[a-z0-9][a-z0-9._-]*)?):(\/.*)$/;

function run(cmd: string, args: string[], input?: Readable): { stdout: Readable; done: Promise<void> } {
  const child = spawn(cmd, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  if (input) input.pipe(child.stdin!);
  const done = new Promise<void>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res() : rej(new CliError(`${cmd} failed: ${err.trim().split('\n')[0]}`))));
  });
  return { stdout: child.stdout!, done };
}

/** `walt image cp <local-path> <image>:<dir>` and `walt image cp <image>:<path> <local-path>` (tar over HTTP). */
export function registerImageCp(image: Command, ctx: CliContext): void {
  image
    .command('cp <src> <dst>')
    .description('copy files between the client and an image (<image>:<path> on one side)')
    .action(async (src: string, dst: string) => {
      const from = IMAGE_PATH.exec(src);
      const to = IMAGE_PATH.exec(dst);
      if (!!from === !!to) throw new CliError('exactly one of <src> and <dst> must be <image>:<absolute-path> (e.g. walt image cp ./file my-image:/root/)');
      const api = await ctx.api();
      if (to) {
        const local = resolve(src);
        if (!existsSync(local)) throw new CliError(`no such file or directory: ${src}`);
        const tar = run('tar', ['-c', '-C', dirname(local), basename(local)]);
        const [r] = await Promise.all([uploadTar(api, to[1], to[2], tar.stdout), tar.done]);
        ctx.out(r.message);
        return;
      }
      const [, img, path] = from!;
      const dest = resolve(dst);
      const intoDir = existsSync(dest) && statSync(dest).isDirectory();
      const stage = mkdtempSync(join(intoDir ? dest : dirname(dest), '.walt-cp-'));
      try {
        const tar = await downloadTar(api, img, path);
        await run('tar', ['-x', '-C', stage, '--no-same-owner'], tar).done;
        const entries = readdirSync(stage);
        if (entries.length !== 1) throw new CliError(`unexpected archive content for ${src}`);
        const target = intoDir ? join(dest, entries[0]) : dest;
        if (existsSync(target) && statSync(target).isDirectory() && !intoDir) throw new CliError(`${dst} is a directory`);
        rmSync(target, { recursive: true, force: true });
        renameSync(join(stage, entries[0]), target);
      } finally {
        rmSync(stage, { recursive: true, force: true });
      }
    });
}

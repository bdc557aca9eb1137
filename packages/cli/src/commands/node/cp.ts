import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { copyEndMarkerArchive, copyEndNonce, type SessionChannel } from '@walt/session-protocol';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import type { ApiClient } from '../../client/api-client.js';
import { nodeSessionPath, nodeTargets } from '../../client/node-targets.js';
import { openSession, relaySession } from '../../client/session-client.js';

/** `<node>:<path>`: a node name has no '/', so `./a:b` and `/x:y` stay local paths. */
function nodeSide(spec: string): { node: string; path: string } | undefined {
  const m = /^([^/:]+):(.*)$/.exec(spec);
  return m ? { node: m[1], path: m[2] } : undefined;
}

/**
 * `walt node cp <local> <node>:<path>` / `<node>:<path> <local>`: a tar stream through the server's
 * SSH connection, never whole in memory; permissions kept; written under a temporary name and renamed
 * at the end on both sides, so an interrupted copy leaves nothing under the final name.
 */
export function registerNodeCp(node: Command, ctx: CliContext): void {
  node
    .command('cp')
    .argument('<src>', 'a local path, or <node>:<path>')
    .argument('<dst>', '<node>:<path>, or a local path')
    .description('copy files or directories between this machine and a node')
    .option('--yes', "do not ask before using another user's node")
    .action(async (src: string, dst: string, opts: { yes?: boolean }) => {
      if (dst === 'booted-image') throw new CliError("copying into a node's booted image ('booted-image') is not available in this release; copy to the node, then 'walt node save'.", 'not-available');
      const from = nodeSide(src);
      const to = nodeSide(dst);
      if (!!from === !!to) throw new CliError('exactly one of <src> and <dst> must be <node>:<path> (the other a local path).', 'invalid');
      if (from && !from.path) throw new CliError(`missing the path on ${from.node} (<node>:<path>).`, 'invalid');
      const api = await ctx.api();
      if (to) await copyToNode(api, src, to, opts.yes);
      else await copyFromNode(api, from!, dst, opts.yes);
    });
}

async function copyToNode(api: ApiClient, local: string, to: { node: string; path: string }, yes?: boolean): Promise<void> {
  let kind: 'file' | 'dir';
  try {
    kind = lstatSync(local).isDirectory() ? 'dir' : 'file';
  } catch {
    throw new CliError(`no such file or directory: ${local}`, 'not-found');
  }
  const [node] = await nodeTargets(api, to.node, { yes, single: true });
  const full = resolve(local);
  const name = basename(full);
  const end = copyEndNonce(randomBytes);
  const channel = await openSession(api, nodeSessionPath(node, 'cp-to', { path: to.path || '.', name, kind, end }), { offerRawStdin: true });
  // Records of 64 KiB (tar's default is 10 KiB): a sixth of the writes, and of the reads and wake-ups of ssh.
  const tarArgs = ['-c', '-b', '128', '-f', '-', '-C', dirname(full), '--', name];
  let tar: ChildProcess;
  let stdin: Readable | undefined;
  if (channel.rawStdin) {
    // Raw stdin (docs/decisions/0026-node-cp-raw-stdin.md): tar writes into the session's socket,
    // the server's ssh reads it; spawning pauses the socket, whose frames from the server we still read.
    const socket = channel.socket as Socket;
    tar = spawnTiedToUs('tar', tarArgs, ['ignore', socket, 'pipe']);
    socket.resume();
  } else {
    tar = spawn('tar', tarArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    const framed = new PassThrough();
    tar.stdout!.pipe(framed, { end: false });
    stdin = framed;
  }
  const tarDone = processDone(tar, 'tar');
  let tarFailure: CliError | undefined;
  // Only a tar that exited 0 is followed by the end marker: the node renames the copy into place
  // only when it sees it (a stream cut short, here or by a kill, never holds it).
  void tarDone.then(
    () => finishStdin(channel, stdin, copyEndMarkerArchive(end)),
    (e: CliError) => {
      tarFailure = e;
      finishStdin(channel, stdin);
    },
  );
  const remoteErr = collect();
  let status: number;
  try {
    ({ status } = await relaySession(channel, { stdin, stdout: remoteErr.stream, stderr: remoteErr.stream, forwardInterrupt: false }));
  } catch (e) {
    // The session failed (the server could not reach the node...): tar, blocked on a full socket or pipe, would keep us alive.
    tar.kill();
    throw e;
  }
  if (status !== 0) {
    tar.kill();
    throw tarFailure ?? new CliError(remoteErr.firstLine() || `copy to ${node} failed (status ${status})`, 'cp-failed');
  }
  await tarDone;
}

/** Ends the remote stdin once the local tar is done, with `last` (the end marker) after its bytes. */
function finishStdin(channel: SessionChannel, framed: Readable | undefined, last?: Buffer): void {
  if (framed) {
    if (last) (framed as PassThrough).write(last);
    (framed as PassThrough).end();
    return;
  }
  if (channel.socket.destroyed) return;
  if (last) channel.socket.write(last);
  channel.socket.end();
}

/**
 * Spawns a process that dies with us (util-linux setpriv --pdeathsig, when there): a tar writing
 * straight into the session's socket would otherwise outlive a killed client and send the rest.
 */
function spawnTiedToUs(command: string, args: string[], stdio: StdioOptions): ChildProcess {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsAt(p));
  return setpriv ? spawn(setpriv, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio }) : spawn(command, args, { stdio });
}

async function copyFromNode(api: ApiClient, from: { node: string; path: string }, local: string, yes?: boolean): Promise<void> {
  const name = basename(from.path.replace(/\/+$/, '')) || from.path;
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const final = isDir(local) ? join(local, name) : local;
  const parent = dirname(resolve(final));
  if (!isDir(parent)) throw new CliError(`no such directory: ${parent}`, 'not-found');
  const [node] = await nodeTargets(api, from.node, { yes, single: true });
  const channel = await openSession(api, nodeSessionPath(node, 'cp-from', { path: from.path }));
  const tmp = mkdtempSync(join(parent, '.walt-cp-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  // Killed by Ctrl-C or a signal: the temporary directory goes too (the final name was never written).
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const tar = spawn('tar', ['-x', '-p', '-f', '-', '-C', tmp], { stdio: ['pipe', 'ignore', 'pipe'] });
    tar.stdin.setMaxListeners(0);
    const tarDone = processDone(tar, 'tar');
    tar.stdin.on('error', () => undefined);
    const remoteErr = collect();
    let status: number;
    try {
      ({ status } = await relaySession(channel, { stdout: tar.stdin, stderr: remoteErr.stream, forwardInterrupt: false }));
    } catch (e) {
      // The session failed: tar, waiting for the rest of its input, would keep us alive.
      tar.kill();
      tarDone.catch(() => undefined);
      throw e;
    }
    tar.stdin.end();
    if (status !== 0) {
      tar.kill();
      tarDone.catch(() => undefined);
      throw new CliError(remoteErr.firstLine() || `copy from ${node} failed (status ${status})`, 'cp-failed');
    }
    await tarDone;
    const got = join(tmp, basename(from.path.replace(/\/+$/, '')));
    const gotDir = lstatSync(got).isDirectory();
    if (isDir(final) && !gotDir) throw new CliError(`cannot overwrite directory '${final}' with a file`, 'cp-failed');
    if (!isDir(final) && gotDir && existsAt(final)) throw new CliError(`cannot overwrite file '${final}' with a directory`, 'cp-failed');
    if (isDir(final)) await processDone(spawn('cp', ['-a', '--', `${got}/.`, `${final}/`], { stdio: ['ignore', 'ignore', 'pipe'] }), 'cp');
    else renameSync(got, final);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

function existsAt(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The remote side's messages, kept small (its first line becomes the error). */
function collect(): { stream: Writable; firstLine(): string } {
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => {
    if (text.length < 4096) text += c.toString('utf8');
  });
  return { stream, firstLine: () => text.split('\n').find((l) => l.trim()) ?? '' };
}

function processDone(child: ChildProcess, what: string): Promise<void> {
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (err.length < 4096) err += c.toString('utf8');
  });
  return new Promise((resolveDone, reject) => {
    child.once('error', (e) => reject(new CliError(`${what}: ${e.message}`, 'cp-failed')));
    child.once('close', (code) => (code === 0 ? resolveDone() : reject(new CliError(`${what}: ${err.split('\n')[0] || `exit status ${code}`}`, 'cp-failed'))));
  });
}

import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { WaltError } from '../errors.js';
import { nodeDiffCommand } from '../sessions/node-diff-script.js';
import type { NodeSshPool } from './ssh/node-ssh-pool.js';

/** Bytes of the node script's error output kept for the message. */
const STDERR_KEPT = 4096;

/**
 * `walt node save`'s first step: the node's changes since its bootup, as a tar written to `tarFile`
 * straight from the SSH channel (never whole in memory).
 */
export async function dumpNodeChanges(ssh: NodeSshPool, node: { name: string; ip: string }, tarFile: string): Promise<void> {
  const ch = await ssh.exec(node.ip, node.name, nodeDiffCommand());
  let stderr = '';
  ch.stderr.on('data', (d: Buffer) => {
    if (stderr.length < STDERR_KEPT) stderr += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => ch.once('exit', (code: number | null) => resolve(code)).once('close', () => resolve(null)));
  try {
    await pipeline(ch, createWriteStream(tarFile));
  } catch (e) {
    throw new WaltError('save-failed', `cannot read the changes made on ${node.name}: ${(e as Error).message}`, 502);
  }
  const code = await exit;
  const why = stderr.trim().split('\n')[0];
  if (code === 3) throw new WaltError('no-writable-layer', `${node.name}: ${why}: there are no changes to save`, 409);
  if (code !== 0) throw new WaltError('save-failed', `cannot read the changes made on ${node.name}: ${why || (code === null ? 'the SSH session ended' : `exit status ${code}`)}`, 502);
}

import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { WaltError } from '../errors.js';
import type { RemoteProcess } from './remote-process.js';

/**
 * A TCP connection from the server to a device's port (walt node|device expose), as a session's
 * remote process: stdin frames are the bytes sent, stdout frames the bytes received.
 */
export async function tcpProcess(ip: string, port: number, name: string): Promise<RemoteProcess> {
  const socket = connect({ host: ip, port });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new WaltError('unreachable', `${name}: connection to TCP port ${port} timed out`, 502));
    }, 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new WaltError('unreachable', `${name}: cannot connect to TCP port ${port} (${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message})`, 502));
    });
  });
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const stdout = new PassThrough();
  socket.pipe(stdout);
  return {
    stdout,
    stdin: socket,
    endInput: () => socket.end(),
    signal: () => socket.destroy(),
    kill: () => socket.destroy(),
    done: new Promise((resolve) => stdout.once('end', () => resolve({ status: 0 }))),
  };
}

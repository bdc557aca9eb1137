import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryImageStore } from '../../packages/core/src/images/directory-image-store.js';
import { authHeaders } from './api-token.js';
import { startServer, type ServerHandle } from './walt-processes.js';

export interface LoopbackPcNodeServer {
  server: ServerHandle;
  /** Scratch folder of the test (the image directory is inside): remove it after the server. */
  dir: string;
  base: string;
  /** alice's JSON request headers, token included. */
  headers: Record<string, string>;
}

/**
 * A server on a directory image store (a pc-x86-64 default image with a start.ipxe), with one
 * pc-x86-64 node registered at a loopback address: the node side a test then plays itself (its
 * net service, its bootup notification) from that address.
 */
export async function startServerWithLoopbackPcNode(prefix: string, mac: string, ip: string): Promise<LoopbackPcNodeServer> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const images = join(dir, 'images');
  DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/start.ipxe': '#!ipxe\n' }, { models: ['pc-x86-64'] });
  const server = await startServer({ config: `network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\nimages:\n  directory: ${images}\napi:\n  port: 0\n` });
  const base = `http://${server.address}`;
  const headers = { 'content-type': 'application/json', ...(await authHeaders(base, 'alice')) };
  const reg = await fetch(`${base}/api/v1/devices/register`, { method: 'POST', headers, body: JSON.stringify({ mac, ip, vendorClass: 'walt.node.pc-x86-64' }) });
  if (!reg.ok) throw new Error(`cannot register ${mac} at ${ip}: ${reg.status} ${await reg.text()}`);
  return { server, dir, base, headers };
}

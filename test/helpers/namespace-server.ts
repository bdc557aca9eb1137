import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryImageStore } from '../../packages/core/src/images/directory-image-store.js';
import { createTestNetwork, type TestNetwork } from './netns.js';
import { startServer, type ServerHandle } from './walt-processes.js';

/** The uboot script the rpi-3-b-plus default image of a namespace server holds (what TFTP serves). */
export const NAMESPACE_SERVER_UBOOT = 'uboot script';

export interface NamespaceServer {
  net: TestNetwork;
  server: ServerHandle;
  /** Stop the server, remove its data and image folder, and the namespaces. */
  stop(): Promise<void>;
}

/**
 * walt-server in a namespace of its own, walt-net on a bridge there (its raw device the server's end
 * of it: DHCP and TFTP for the clients the test adds with `net.addClient`), images from a folder
 * holding the rpi-3-b-plus default image, the API on a free port.
 */
export async function startNamespaceServer(options: { tag: string; subnet: string; prefix?: number }): Promise<NamespaceServer> {
  const net = createTestNetwork(options);
  const images = mkdtempSync(join(tmpdir(), `walt-${options.tag}-images-`));
  const cleanup = () => {
    net.destroy();
    rmSync(images, { recursive: true, force: true });
  };
  try {
    DirectoryImageStore.writeImage(images, 'waltplatform/rpi-3-b-plus-default:latest', { 'boot/rpi-3-b-plus/start.uboot': NAMESPACE_SERVER_UBOOT }, { models: ['rpi-3-b-plus'] });
    const config = `network:\n  walt-net:\n    raw-device: ${net.serverIf}\n    ip: ${net.serverIp}/${net.prefix}\nimages:\n  directory: ${images}\napi:\n  port: 0\n`;
    const server = await startServer({ netns: net.serverNs, config });
    return {
      net,
      server,
      stop: async () => {
        await server.stop({ cleanup: true });
        cleanup();
      },
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}

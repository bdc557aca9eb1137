import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/database.js';
import { DevicesRepository } from '../store/devices-repository.js';
import { LogsRepository } from '../store/logs-repository.js';
import { LogService } from '../logs/log-service.js';
import { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { ServerConfig } from '../config/server-config.js';
import type { DefaultImageProvider } from './default-image-provider.js';
import { DeviceCleanups } from './device-cleanups.js';
import { DeviceRegistry } from './device-registry.js';

/** A registry over a real in-memory store (logs forgotten through the device clean-ups, as in the server); platform lines are collected. */
function makeRegistry(provider?: DefaultImageProvider) {
  const db = openDatabase(':memory:');
  const devices = new DevicesRepository(db);
  const logsRepo = new LogsRepository(db);
  const lines: string[] = [];
  const logs = new LogService(logsRepo, { name: 'walt-server', mac: '52:54:00:00:00:01' }, (m) => m, (l) => lines.push(l));
  const config = { network: { waltNet: { ip: '192.168.152.1/24', rawDevice: null } } } as unknown as ServerConfig;
  const cleanups = new DeviceCleanups();
  cleanups.add('logs', (d) => logsRepo.forgetIssuer(d.mac));
  const registry = new DeviceRegistry(devices, logs, new ExtensionRegistry(), config, cleanups, provider);
  registry.ensureServer('52:54:00:00:00:01', '192.168.152.1');
  return { registry, lines, cleanups };
}

describe('DeviceRegistry with a default image provider (the images side hook)', () => {
  it('records a node whose default image is missing as unknown, then converts it once the image is fetched', async () => {
    let release!: () => void;
    const fetched = new Promise<void>((r) => (release = r));
    const local = new Set<string>();
    const fetches: string[] = [];
    const { registry, lines } = makeRegistry({
      enabled: () => true,
      isLocal: (image) => local.has(image),
      fetch: async (image) => {
        fetches.push(image);
        await fetched;
        local.add(image);
      },
    });
    const first = registry.register({ mac: 'b8:27:eb:f2:67:82', ip: '192.168.152.14', model: 'rpi-3-b-plus' });
    expect(first.device).toMatchObject({ name: 'unknown-f26782', type: 'unknown' });
    expect(first.pendingImage).toBe('waltplatform/rpi-3-b-plus-default:latest');
    registry.register({ mac: 'b8:27:eb:f2:67:82', ip: '192.168.152.14', model: 'rpi-3-b-plus' }); // a DHCP retry
    expect(fetches).toEqual(['waltplatform/rpi-3-b-plus-default:latest']); // fetched once
    release();
    await new Promise((r) => setTimeout(r, 10));
    expect(registry.byMac('b8:27:eb:f2:67:82')).toMatchObject({ name: 'node-f26782', type: 'node', model: 'rpi-3-b-plus' });
    const platform = lines.map((l) => l.replace(/^platform\.devices -> /, ''));
    expect(platform).toEqual([
      'new device name=unknown-f26782 type=unknown mac=b8:27:eb:f2:67:82 ip=192.168.152.14',
      "Device unknown-f26782 is a walt node of type 'rpi-3-b-plus'.",
      "Trying to download a default image for 'rpi-3-b-plus' nodes: waltplatform/rpi-3-b-plus-default:latest...",
      'Image waltplatform/rpi-3-b-plus-default:latest was downloaded successfully.',
      'renamed unknown-f26782 to node-f26782 for clarity',
      'new node (device type previously unknown) name=node-f26782 model=rpi-3-b-plus mac=b8:27:eb:f2:67:82 ip=192.168.152.14',
    ]);
  });

  it('leaves the device unknown and says why when the fetch fails', async () => {
    const { registry, lines } = makeRegistry({ enabled: () => true, isLocal: () => false, fetch: async () => Promise.reject(new Error('Registry unreachable')) });
    registry.register({ mac: '02:00:00:00:00:05', ip: null, model: 'pc-x86-64' });
    await new Promise((r) => setTimeout(r, 10));
    expect(registry.byMac('02:00:00:00:00:05')?.type).toBe('unknown');
    expect(lines.slice(-2)).toEqual([
      'ERROR platform.devices -> registry unreachable',
      "platform.devices -> New pc-x86-64 nodes will be seen as devices of type 'unknown' until this is solved.",
    ]);
    // The same failure for the next node of that model is not said again.
    registry.register({ mac: '02:00:00:00:00:07', ip: null, model: 'pc-x86-64' });
    await new Promise((r) => setTimeout(r, 10));
    expect(registry.byMac('02:00:00:00:00:07')?.type).toBe('unknown');
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual(['ERROR platform.devices -> registry unreachable']);
  });

  it('a provider that throws instead of rejecting still leaves a registered unknown device', async () => {
    const { registry, lines } = makeRegistry({
      enabled: () => true,
      isLocal: () => false,
      fetch: () => {
        throw new Error('no image engine: install podman');
      },
    });
    const r = registry.register({ mac: '02:00:00:00:00:08', ip: '192.168.152.8', model: 'rpi-3-b-plus' });
    expect(r.device.type).toBe('unknown');
    await new Promise((r) => setTimeout(r, 10));
    expect(lines.filter((l) => l.startsWith('ERROR'))).toEqual(['ERROR platform.devices -> no image engine: install podman']);
  });

  it('a change listener that throws does not cost the registration', () => {
    const { registry, lines } = makeRegistry();
    registry.onChange(() => {
      throw new Error('listener bug');
    });
    const r = registry.register({ mac: '02:00:00:00:00:09', ip: '192.168.152.9' });
    expect(r.device.name).toBe('unknown-000009');
    expect(registry.byMac('02:00:00:00:00:09')?.ip).toBe('192.168.152.9');
    expect(lines).toContain('ERROR platform.devices -> a listener of device changes failed on added unknown-000009: listener bug');
  });

  it('announces changes and runs forget hooks inside the deletion', () => {
    const { registry, cleanups } = makeRegistry();
    const changes: string[] = [];
    registry.onChange((c) => changes.push(`${c.kind} ${c.device.name}`));
    const hooked: string[] = [];
    cleanups.add('test table', (d) => void hooked.push(d.name));
    registry.register({ mac: '02:00:00:00:00:06', ip: '192.168.152.6' });
    registry.rename('unknown-000006', 'sensor');
    registry.forget('sensor', false);
    expect(changes).toEqual(['added unknown-000006', 'renamed sensor', 'forgotten sensor']);
    expect(hooked).toEqual(['sensor']);
  });
});

import 'reflect-metadata';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.js';
import type { DevicesRepository } from '../store/devices-repository.js';
import type { LogService } from '../logs/log-service.js';
import type { Device, DeviceType } from './device.js';
import { generatedName, nameFromHostName, uniqueName } from './device-naming.js';

/** What the network side knows when a device shows up (a DHCP lease, an LLDP neighbour...). */
export interface DeviceSighting {
  mac: string;
  ip: string | null;
  /** Node model announced by the bootloader (`walt.node.<model>`), if any. */
  model?: string;
  /** DHCP host name (option 12), if any. */
  hostName?: string;
  /** Known type from another source (LLDP: switch). */
  type?: DeviceType;
}

/** The device registry: names, types and the platform log lines about them. */
@injectable()
export class DeviceRegistry {
  constructor(
    @inject(TOKENS.DevicesRepository) private readonly repo: DevicesRepository,
    @inject(TOKENS.LogService) private readonly logs: LogService,
  ) {}

  all(): Device[] {
    return this.repo.all();
  }

  byName(name: string): Device | undefined {
    return this.repo.byName(name);
  }

  byMac(mac: string): Device | undefined {
    return this.repo.byMac(mac);
  }

  byIp(ip: string): Device | undefined {
    return this.repo.byIp(ip);
  }

  /** Make sure the server itself is registered as walt-server (type server), at its current MAC and IP. */
  ensureServer(mac: string, ip: string | null): Device {
    return this.repo.transaction(() => {
      for (const d of this.repo.all()) {
        if ((d.type === 'server' || d.name === 'walt-server') && d.mac !== mac) this.repo.delete(d.mac);
      }
      const existing = this.repo.byMac(mac);
      const server: Device = {
        mac,
        ip,
        name: 'walt-server',
        type: 'server',
        virtual: false,
        model: null,
        image: null,
        conf: existing?.conf ?? {},
        createdAt: existing?.createdAt ?? Date.now() / 1000,
      };
      if (existing) this.repo.update(server);
      else this.repo.insert(server);
      return server;
    });
  }

  /**
   * Register a device seen on the network. A new device is named and logged; an unknown device that
   * now identifies as a node or switch is converted (and renamed if its name still says unknown).
   * `image` is the image a new node boots (its model's default). Returns the device as stored.
   */
  register(sighting: DeviceSighting, image?: string): { device: Device; created: boolean; converted: boolean } {
    return this.repo.transaction(() => {
      const type: DeviceType = sighting.type ?? (sighting.model ? 'node' : 'unknown');
      const existing = this.repo.byMac(sighting.mac);
      const taken = (n: string) => this.repo.byName(n) !== undefined;
      if (!existing) {
        const fromHost = sighting.hostName ? nameFromHostName(sighting.hostName, sighting.mac) : undefined;
        const name = fromHost && !taken(fromHost) ? fromHost : uniqueName(generatedName(type, sighting.mac), taken);
        const device: Device = {
          mac: sighting.mac,
          ip: sighting.ip,
          name,
          type,
          virtual: false,
          model: type === 'node' ? sighting.model ?? null : null,
          image: type === 'node' ? image ?? null : null,
          conf: {},
          createdAt: Date.now() / 1000,
        };
        this.repo.insert(device);
        this.logNew(device, false);
        return { device, created: true, converted: false };
      }
      const device = { ...existing };
      let changed = false;
      if (sighting.ip && !device.ip) {
        device.ip = sighting.ip;
        changed = true;
      }
      let converted = false;
      if (existing.type === 'unknown' && type !== 'unknown') {
        if (existing.name.includes('unknown')) {
          const newName = uniqueName(generatedName(type, device.mac), (n) => n !== existing.name && taken(n));
          this.logs.platform('devices', `renamed ${existing.name} to ${newName} for clarity`);
          device.name = newName;
        }
        device.type = type;
        if (type === 'node') {
          device.model = sighting.model ?? null;
          device.image = image ?? null;
        }
        converted = true;
        changed = true;
      }
      if (changed) this.repo.update(device);
      if (converted) this.logNew(device, true);
      return { device, created: false, converted };
    });
  }

  private logNew(d: Device, previouslyUnknown: boolean): void {
    const prev = previouslyUnknown ? ' (device type previously unknown)' : '';
    const ip = d.ip ?? 'None';
    if (d.type === 'node') this.logs.platform('devices', `new node${prev} name=${d.name} model=${d.model} mac=${d.mac} ip=${ip}`);
    else if (d.type === 'switch') this.logs.platform('devices', `new switch${prev} name=${d.name} mac=${d.mac} ip=${ip}`);
    else this.logs.platform('devices', `new device name=${d.name} type=${d.type} mac=${d.mac} ip=${ip}`);
  }
}

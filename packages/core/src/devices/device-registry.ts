import { EventEmitter } from 'node:events';
import { NODE_MODEL_ID, defaultImageOf } from '@walt/sdk';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import type { DevicesRepository } from '../store/devices-repository.js';
import type { LogService } from '../logs/log-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { ServerConfig } from '../config/server-config.js';
import type { Device, DeviceType } from './device.js';
import { checkNewDeviceName, generatedName, nameFromHostName, uniqueName } from './device-naming.js';
import type { DefaultImageProvider } from './default-image-provider.js';
import type { DeviceCleanups } from './device-cleanups.js';
import { WaltNetSubnet } from './walt-net.js';
import { isDeviceSetKeyword } from './device-set-keywords.js';

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

export interface RegistrationResult {
  device: Device;
  created: boolean;
  /** An unknown device became a node or a switch. */
  converted: boolean;
  /** Lines for the requester ("Renaming X to Y for clarity."). */
  messages: string[];
  /** Set when the node waits for its default image (recorded as unknown meanwhile). */
  pendingImage?: string;
}

/** What changed in the registry; listeners (DHCP host entries, DNS, TFTP links) refresh from it. */
export type DeviceChange =
  | { kind: 'added'; device: Device }
  | { kind: 'converted'; device: Device; from: DeviceType }
  | { kind: 'renamed'; device: Device; from: string }
  | { kind: 'updated'; device: Device }
  | { kind: 'forgotten'; device: Device };

export const noDeviceNamed = (name: string) => notFound(`No device with name '${name}' found.`);

/** The device registry: names, types, conversions, and the platform log lines about them. */
export class DeviceRegistry {
  private readonly events = new EventEmitter();
  private readonly fetching = new Set<string>();
  /** Default-image failures already reported (cleared by a success): a reason is said once, not per node or model. */
  private readonly reportedFetchFailures = new Set<string>();
  private readonly subnet: WaltNetSubnet;

  /**
   * `cleanups` is how every table referencing devices forgets one; `imageProvider` is the images
   * side of registration (see DefaultImageProvider; without one, new nodes are registered at once).
   */
  constructor(
    private readonly repo: DevicesRepository,
    private readonly logs: LogService,
    private readonly extensions: ExtensionRegistry,
    config: ServerConfig,
    private readonly cleanups: DeviceCleanups,
    private readonly imageProvider?: DefaultImageProvider,
  ) {
    this.events.setMaxListeners(0);
    this.subnet = new WaltNetSubnet(config.network.waltNet.ip);
  }

  all(): Device[] {
    return this.repo.all();
  }

  byName(name: string): Device | undefined {
    return this.repo.byName(name);
  }

  /** The device with that name, or the user-facing "No device with name ... found." error. */
  get(name: string): Device {
    const d = this.repo.byName(name);
    if (!d) throw noDeviceNamed(name);
    return d;
  }

  byMac(mac: string): Device | undefined {
    return this.repo.byMac(mac);
  }

  byIp(ip: string): Device | undefined {
    return this.repo.byIp(ip);
  }

  /** Is this address inside the walt-net subnet? */
  inWaltNet(ip: string | null): boolean {
    return this.subnet.contains(ip);
  }

  /** The default image of a model: the plugin's `defaultImage`, else `waltplatform/<model>-default:latest`. */
  defaultImageOf(model: string): string {
    return defaultImageOf(this.extensions.nodeModel(model) ?? { id: model });
  }

  /** Be told of every change (called synchronously, inside the write: only schedule work). */
  onChange(listener: (change: DeviceChange) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Listeners run inside the write: one that throws is logged and must not cost the write (a DHCP lease, a registration). */
  private emit(change: DeviceChange): void {
    for (const listener of this.events.listeners('change') as Array<(c: DeviceChange) => void>) {
      try {
        listener(change);
      } catch (e) {
        this.logs.platform('devices', `a listener of device changes failed on ${change.kind} ${change.device.name}: ${(e as Error)?.message ?? e}`, { error: true });
      }
    }
  }

  /**
   * DHCP saw a real conflict at this device's address (DHCPDECLINE confirmed by an ARP probe): the
   * device no longer has it, so that the registry and the lease agree; its next lease fills it in.
   */
  addressLost(mac: string, ip: string): void {
    this.repo.transaction(() => {
      const device = this.repo.byMac(mac);
      if (!device || device.ip !== ip) return;
      const updated = { ...device, ip: null };
      this.repo.update(updated);
      this.emit({ kind: 'updated', device: updated });
    });
  }

  /** Make sure the server itself is registered as walt-server (type server), at its current MAC and IP. */
  ensureServer(mac: string, ip: string | null): Device {
    return this.repo.transaction(() => {
      for (const d of this.repo.all()) {
        if ((d.type === 'server' || d.name === 'walt-server' || (ip && d.ip === ip)) && d.mac !== mac) {
          this.cleanups.run(d);
          this.repo.delete(d.mac);
        }
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
   * The registration entry point (a DHCP lease, an LLDP neighbour, POST /api/v1/devices/register).
   * A new device is named and logged; an unknown device that now identifies as a node or switch is
   * converted (and renamed if its name still says unknown). A new node boots its model's default image.
   */
  register(sighting: DeviceSighting): RegistrationResult {
    const model = sighting.model && NODE_MODEL_ID.test(sighting.model) ? sighting.model : undefined;
    const type: DeviceType = sighting.type ?? (model ? 'node' : 'unknown');
    const existing = this.repo.byMac(sighting.mac);
    if (type === 'node' && model && (!existing || existing.type === 'unknown')) {
      const image = this.defaultImageOf(model);
      if (this.imageProvider?.enabled() && !this.imageProvider.isLocal(image)) return this.registerPendingNode({ ...sighting, model }, image);
    }
    return this.record({ ...sighting, model }, type);
  }

  /** The node's default image is not local: record it as unknown now, convert it once the image is fetched. */
  private registerPendingNode(sighting: DeviceSighting & { model: string }, image: string): RegistrationResult {
    const result = this.record(sighting, 'unknown');
    result.pendingImage = image;
    const { model } = sighting;
    if (this.fetching.has(sighting.mac)) return result;
    this.fetching.add(sighting.mac);
    this.logs.platform('devices', `Device ${result.device.name} is a walt node of type '${model}'.`);
    this.logs.platform('devices', `Trying to download a default image for '${model}' nodes: ${image}...`);
    let fetched: Promise<void>;
    try {
      fetched = this.imageProvider!.fetch(image, model);
    } catch (e) {
      fetched = Promise.reject(e); // a provider that throws instead of rejecting must not cost the node its lease
    }
    fetched
      .then(
        () => {
          this.reportedFetchFailures.clear();
          this.logs.platform('devices', `Image ${image} was downloaded successfully.`);
          const current = this.repo.byMac(sighting.mac);
          if (current?.type === 'unknown') this.record({ ...sighting, ip: sighting.ip ?? current.ip }, 'node');
        },
        (e: unknown) => {
          const why = String((e as Error)?.message ?? e);
          // The ERROR line says what to do; once per reason, not once per node of a boot storm.
          if (!this.reportedFetchFailures.has(why)) {
            if (this.reportedFetchFailures.size > 100) this.reportedFetchFailures.clear();
            this.reportedFetchFailures.add(why);
            this.logs.platform('devices', why.charAt(0).toLowerCase() + why.slice(1), { error: true });
          }
          this.logs.platform('devices', `New ${model} nodes will be seen as devices of type 'unknown' until this is solved.`);
        },
      )
      .catch((e: unknown) => this.logs.platform('devices', `registering ${sighting.mac} as a ${model} node failed: ${(e as Error)?.message ?? e}`, { error: true }))
      .finally(() => this.fetching.delete(sighting.mac));
    return result;
  }

  private record(sighting: DeviceSighting, type: DeviceType): RegistrationResult {
    return this.repo.transaction(() => {
      const existing = this.repo.byMac(sighting.mac);
      // Never a second device on an address in use: the sighting is recorded without it.
      const holder = sighting.ip ? this.repo.byIp(sighting.ip) : undefined;
      if (holder && holder.mac !== sighting.mac) sighting = { ...sighting, ip: null };
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
          image: type === 'node' && sighting.model ? this.defaultImageOf(sighting.model) : null,
          conf: {},
          createdAt: Date.now() / 1000,
        };
        this.repo.insert(device);
        this.logNew(device, false);
        this.emit({ kind: 'added', device });
        return { device, created: true, converted: false, messages: [] };
      }
      if (existing.type === 'server') return { device: existing, created: false, converted: false, messages: [] };
      let device = { ...existing };
      // The IP is sticky: only filled in, or moved into walt-net from outside.
      if (sighting.ip && (!device.ip || (!this.inWaltNet(device.ip) && this.inWaltNet(sighting.ip)))) {
        device.ip = sighting.ip;
        this.repo.update(device);
        this.emit({ kind: 'updated', device });
      }
      const messages: string[] = [];
      let converted = false;
      if (existing.type === 'unknown' && type !== 'unknown') {
        device = this.convert(device, type, sighting.model, messages);
        converted = true;
      }
      return { device, created: false, converted, messages };
    });
  }

  /**
   * Turn an unknown device into a node or a switch: rename it if its name still says "unknown"
   * (logged `renamed A to B for clarity`, and "Renaming A to B for clarity." for the requester), then
   * log it as new equipment "(device type previously unknown)".
   */
  convert(device: Device, type: 'node' | 'switch' | DeviceType, model: string | undefined, messages: string[]): Device {
    return this.repo.transaction(() => {
      const updated: Device = { ...device, type };
      if (device.name.includes('unknown')) {
        const newName = uniqueName(generatedName(type, device.mac), (n) => n !== device.name && this.repo.byName(n) !== undefined);
        this.logs.platform('devices', `renamed ${device.name} to ${newName} for clarity`);
        messages.push(`Renaming ${device.name} to ${newName} for clarity.`);
        updated.name = newName;
      }
      if (type === 'node') {
        updated.model = model ?? device.model;
        updated.image = updated.model ? this.defaultImageOf(updated.model) : null;
      }
      this.repo.update(updated);
      this.logNew(updated, true);
      this.emit({ kind: 'converted', device: updated, from: device.type });
      return updated;
    });
  }

  /** `walt device rename` / `walt node rename`: a valid, unused host name; the server keeps its name. */
  rename(oldName: string, newName: string): Device {
    return this.repo.transaction(() => {
      const device = this.get(oldName);
      if (device.type === 'server') throw forbidden(`${oldName} is the WalT server: it keeps its name.`);
      checkNewDeviceName(newName, (n) => this.repo.byName(n) !== undefined);
      if (isDeviceSetKeyword(newName)) throw invalid(`'${newName}' is a device set keyword (see 'walt help show device-sets'): choose another name.`);
      const renamed = { ...device, name: newName };
      this.repo.update(renamed);
      this.emit({ kind: 'renamed', device: renamed, from: oldName });
      return renamed;
    });
  }

  /** Lines this device issued (console streams excluded): `walt device forget` refuses without --force. */
  countLogLines(mac: string): number {
    return this.repo.countLogLines(mac);
  }

  /**
   * `walt device forget`: delete a device and its logs. Without `force`, a device that has log lines
   * (console streams aside) is kept. The server and virtual nodes cannot be forgotten this way.
   */
  forget(name: string, force: boolean, options: { virtual?: boolean } = {}): { device: Device; deletedLines: number } {
    return this.repo.transaction(() => {
      const device = this.get(name);
      if (device.type === 'server') throw forbidden(`${name} is the WalT server: it cannot be forgotten.`);
      if (device.virtual && !options.virtual) throw invalid(`${name} is a virtual node: use 'walt node remove ${name}' instead.`);
      const lines = this.repo.countLogLines(device.mac);
      if (lines > 0 && !force) {
        throw conflict(`will not forget ${name}: this would delete ${lines} log line${lines === 1 ? '' : 's'} from history; use --force to proceed.`);
      }
      const deletedLines = this.cleanups.run(device);
      this.repo.delete(device.mac);
      this.emit({ kind: 'forgotten', device });
      return { device, deletedLines };
    });
  }

  /** `walt node create`: record a virtual node (its name, MAC and IP were chosen free in this transaction). */
  addVirtualNode(device: Omit<Device, 'type' | 'virtual' | 'conf' | 'createdAt'>): Device {
    return this.repo.transaction(() => {
      checkNewDeviceName(device.name, (n) => this.repo.byName(n) !== undefined);
      const node: Device = { ...device, type: 'node', virtual: true, conf: {}, createdAt: Date.now() / 1000 };
      this.repo.insert(node);
      this.logNew(node, false);
      this.emit({ kind: 'added', device: node });
      return node;
    });
  }

  /** Store new settings (merged into conf) and/or a new image; the caller has validated them. */
  update(mac: string, patch: { conf?: Record<string, unknown>; image?: string }): Device {
    return this.repo.transaction(() => {
      const device = this.repo.byMac(mac);
      if (!device) throw notFound(`no device with MAC ${mac}`);
      const updated: Device = {
        ...device,
        conf: patch.conf ? { ...device.conf, ...patch.conf } : device.conf,
        image: patch.image ?? device.image,
      };
      this.repo.update(updated);
      this.emit({ kind: 'updated', device: updated });
      return updated;
    });
  }

  /** Several writes as one: all or nothing. */
  transaction<T>(fn: () => T): T {
    return this.repo.transaction(fn);
  }

  private logNew(d: Device, previouslyUnknown: boolean): void {
    const prev = previouslyUnknown ? ' (device type previously unknown)' : '';
    const ip = d.ip ?? 'None';
    if (d.type === 'node') this.logs.platform('devices', `new node${prev} name=${d.name} model=${d.model} mac=${d.mac} ip=${ip}`);
    else if (d.type === 'switch') this.logs.platform('devices', `new switch${prev} name=${d.name} mac=${d.mac} ip=${ip}`);
    else this.logs.platform('devices', `new device name=${d.name} type=${d.type} mac=${d.mac} ip=${ip}`);
  }
}

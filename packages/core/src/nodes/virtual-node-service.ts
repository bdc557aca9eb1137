import type { NodeRef, VirtualNodeProvider, VirtualNodeSession, VirtualNodeSpec } from '@walt/sdk';
import { WaltError, conflict, invalid, unavailable } from '../errors.js';
import type { ServerConfig } from '../config/server-config.js';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { checkNewDeviceName } from '../devices/device-naming.js';
import { isDeviceSetKeyword } from '../devices/device-set.js';
import type { ImageStore, WaltImage } from '../images/image-store.js';
import type { LogService } from '../logs/log-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import { checkOwnership, type OwnershipAudit } from './node-ownership.js';
import { displayImageName } from './working-set-image.js';
import { freeVirtualMac, lowestFreeIp, netmaskOf } from './virtual-node-allocation.js';
import { virtualBootProblem } from './virtual-node-boot.js';
import { VirtualConsole } from './virtual-console.js';
import { deleteTap, ensureTap, missingBridge, tapName, waltNetBridge } from './virtual-node-tap.js';


export interface VirtualNodeDeps {
  registry: DeviceRegistry;
  images: ImageStore;
  logs: LogService;
  extensions: ExtensionRegistry;
  config: ServerConfig;
}

export function nodeRef(d: Device): NodeRef {
  return { mac: d.mac, ip: d.ip, name: d.name, model: d.model ?? '', image: d.image ?? '', settings: d.conf };
}

/**
 * `walt node create|remove|console` and the lives of virtual nodes: the registry side (name, MAC,
 * IP, image, settings) is here; the VMs belong to the plugin that provides virtual nodes.
 */
export class VirtualNodeService {
  private readonly consoles = new Map<string, VirtualConsole>();
  /** Why a virtual node's VM could not be started, by MAC (cleared when a start gets that far again). */
  private readonly bootProblems = new Map<string, string>();
  private readonly serverIp: string;

  constructor(private readonly deps: VirtualNodeDeps) {
    this.serverIp = deps.config.network.waltNet.ip.split('/')[0];
  }

  private provider(): VirtualNodeProvider {
    const p = this.deps.extensions.virtualNodeProvider();
    if (!p) throw unavailable("no plugin runs virtual nodes on this server (@walt/plugin-virtual is missing or failed: see 'walt-server plugins list').");
    return p.value;
  }

  /** Why the VM of this virtual node cannot start now (`walt node show`), if that is known. */
  bootProblem(mac: string): string | undefined {
    return this.bootProblems.get(mac);
  }

  /**
   * `walt node create <name>`: a VM of the provider's model (pc-x86-64 for qemu) booting the user's clone of the default image. When that
   * image cannot boot a virtual node, the node is still created (the user can give it another image, or
   * fix this one, then `walt node reboot`) and `warnings` says why it will not boot.
   */
  async create(name: string, user: string): Promise<{ messages: string[]; warnings: string[]; node: Device }> {
    const { registry, images } = this.deps;
    checkNewDeviceName(name, (n) => registry.byName(n) !== undefined);
    if (isDeviceSetKeyword(name)) throw invalid(`'${name}' is a device set keyword (see 'walt help show device-sets'): choose another name.`);
    const provider = this.provider();
    // The provider says which model its VMs are (pc-x86-64 for qemu); another plugin owns that model.
    const model = provider.model;
    if (!this.deps.extensions.nodeModel(model)) {
      throw unavailable(`virtual nodes are ${model} nodes and no plugin provides that model (see 'walt-server plugins list').`);
    }
    const why = await provider.check?.();
    if (why) throw unavailable(`cannot run virtual nodes: ${why}.`);
    // Checked before anything is made: without the bridge no VM could ever boot.
    const noBridge = missingBridge(this.serverIp);
    if (noBridge) throw unavailable(`${noBridge}.`);

    const source = await this.defaultImage(model);
    const target = `${user}/${source.preferredName ?? `${model}-default`}:latest`;
    const existing = await images.get(target);
    if (existing && !existing.models.includes(model)) {
      throw conflict(`your image '${displayImageName(target)}' does not support model ${model}: rename it (walt image rename) and retry.`);
    }
    const messages: string[] = [];
    if (!existing) {
      await images.tag(source.fullname, target);
      messages.push(`Default image for ${model} was saved as "${displayImageName(target)}" in your working set.`);
    }
    const node = registry.transaction(() => {
      const mac = freeVirtualMac((m) => registry.byMac(m) !== undefined);
      const used = new Set(registry.all().map((d) => d.ip).filter((ip): ip is string => !!ip));
      used.add(this.serverIp);
      const ip = lowestFreeIp(this.deps.config.network.waltNet.ip, used);
      if (!ip) throw conflict(`walt-net (${this.deps.config.network.waltNet.ip}) has no free address left for a new node.`);
      return registry.addVirtualNode({ mac, ip, name, model, image: target });
    });
    const warnings: string[] = [];
    const problem = await this.imageBootProblem(target, model);
    if (problem) {
      this.bootProblems.set(node.mac, problem);
      messages.push(`Node ${name} was created, but it cannot boot your image "${displayImageName(target)}".`);
      warnings.push(`${problem}; ${name} will not boot until it boots another image (walt node boot ${name} <image>) or this one gets a kernel (then walt node reboot ${name}).`);
    } else {
      messages.push(`Node ${name} is now booting your image "${displayImageName(target)}".`);
    }
    await this.start(node);
    return { messages, warnings, node };
  }

  /** Why `image` cannot boot a virtual node, checked in its files; undefined when it can (or cannot be looked at now). */
  private async imageBootProblem(image: string, model: string): Promise<string | undefined> {
    let view;
    try {
      view = await this.deps.images.acquireView(image);
    } catch {
      return undefined; // the boot attempt says why the image cannot be read
    }
    try {
      return virtualBootProblem(view.root, model, displayImageName(image));
    } finally {
      view.release();
    }
  }

  private async defaultImage(model: string): Promise<WaltImage> {
    const fullname = this.deps.registry.defaultImageOf(model);
    const local = await this.deps.images.get(fullname);
    if (local) return local;
    try {
      return await this.deps.images.pull(fullname);
    } catch (e) {
      throw new WaltError('default-image-unavailable', `the default image of ${model} nodes (${fullname}) is not available: ${(e as Error).message}`, 503);
    }
  }

  /** `walt node remove <name>`: virtual nodes only; another user's node needs `confirmed`. */
  async remove(name: string, user: string, confirmed: boolean): Promise<{ messages: string[] }> {
    const node = this.virtualNode(name, `${name} is not a virtual node: only virtual nodes can be removed (see 'walt device forget').`);
    checkOwnership([node], user, 'owned-or-free', confirmed, this.audit('node remove'));
    await this.halt(node, true);
    this.consoles.get(node.mac)?.close();
    this.consoles.delete(node.mac);
    this.bootProblems.delete(node.mac);
    this.deps.registry.forget(node.name, true, { virtual: true });
    this.deps.logs.platform('nodes', `virtual node ${node.name} removed`);
    return { messages: [`Node ${node.name} was removed.`] };
  }

  private virtualNode(name: string, refusal: string): Device {
    const node = this.deps.registry.get(name);
    if (node.type !== 'node' || !node.virtual) throw new WaltError('not-virtual', refusal, 400);
    return node;
  }

  /** The console of a virtual node (the VM's serial port). */
  /** A virtual node's console, for `user`: another user's node needs `confirmed` (recorded). */
  console(name: string, user: string, confirmed: boolean): { node: Device; console: VirtualConsole } {
    const node = this.virtualNode(name, 'console is only available on virtual nodes.');
    checkOwnership([node], user, 'owned-or-free', confirmed, this.audit('node console'));
    return { node, console: this.consoleOf(node.mac) };
  }

  /** Keystrokes for a virtual node's console: as for the console itself, another user's node needs `confirmed`. */
  input(name: string, data: Uint8Array, user: string, confirmed: boolean): void {
    const node = this.virtualNode(name, 'console is only available on virtual nodes.');
    checkOwnership([node], user, 'owned-or-free', confirmed);
    this.deps.extensions.virtualNodeProvider()?.value.input(nodeRef(node), data);
  }

  private audit(action: string): OwnershipAudit {
    return { action, log: (line) => this.deps.logs.platform('nodes', line) };
  }

  private consoleOf(mac: string): VirtualConsole {
    let c = this.consoles.get(mac);
    if (!c) this.consoles.set(mac, (c = new VirtualConsole(mac, this.deps.logs)));
    return c;
  }

  /** Start every virtual node (server start). */
  async startAll(): Promise<void> {
    for (const d of this.deps.registry.all()) {
      if (d.type !== 'node' || !d.virtual) continue;
      try {
        await this.start(d);
      } catch (e) {
        this.deps.logs.platform('nodes', `cannot start virtual node ${d.name}: ${(e as Error).message}`, { error: true });
      }
    }
  }

  /** Stop every VM (server stop); their taps go too. */
  async stopAll(): Promise<void> {
    await Promise.all(this.deps.registry.all().filter((d) => d.type === 'node' && d.virtual).map((d) => this.halt(d, false)));
  }

  private async halt(node: Device, remove: boolean): Promise<void> {
    const provider = this.deps.extensions.virtualNodeProvider()?.value;
    try {
      await provider?.stop(nodeRef(node));
      if (remove) await provider?.remove?.(nodeRef(node));
    } catch (e) {
      this.deps.logs.platform('nodes', `stopping the VM of ${node.name}: ${(e as Error).message}`, { error: true });
    }
    deleteTap(tapName(node.mac));
  }

  private async start(node: Device): Promise<void> {
    const provider = this.provider();
    const mac = node.mac;
    const logs = this.deps.logs;
    const console = this.consoleOf(mac);
    const session: VirtualNodeSession = {
      node: nodeRef(node),
      current: async () => {
        try {
          const spec = await this.spec(mac);
          this.bootProblems.delete(mac);
          return spec;
        } catch (e) {
          this.bootProblems.set(mac, String((e as Error)?.message ?? e));
          throw e;
        }
      },
      output: (chunk) => {
        try {
          console.write(chunk);
        } catch {
          /* a console listener failed: the VM goes on */
        }
      },
      event: (line, options) => logs.platform('nodes', String(line).replace(/\s*\n\s*/g, ' | '), { error: options?.error }),
    };
    await provider.start(session);
  }

  /**
   * The node as it boots now: fresh settings and image, on its tap of the walt-net bridge (PXE, as a
   * PC). Throws the one-line reason when it cannot boot: no bridge, no tap, an image without a kernel.
   */
  private async spec(mac: string): Promise<VirtualNodeSpec> {
    const node = this.deps.registry.byMac(mac);
    if (!node || !node.virtual) throw new Error(`virtual node ${mac} is no longer registered`);
    if (!node.image) throw new Error(`${node.name} has no image`);
    if (!node.model) throw new Error(`node ${node.name} has no model: it cannot boot`);
    const noBridge = missingBridge(this.serverIp);
    if (noBridge) throw new Error(noBridge);
    // An image that cannot boot would loop through PXE and iPXE's failures: say why once instead.
    const view = await this.deps.images.acquireView(node.image);
    let problem: string | undefined;
    try {
      problem = virtualBootProblem(view.root, node.model, displayImageName(node.image));
    } finally {
      view.release();
    }
    if (problem) throw new Error(problem);
    const bridge = waltNetBridge(this.serverIp)!;
    const tap = tapName(mac);
    try {
      ensureTap(tap, bridge);
    } catch (e) {
      throw new Error(`virtual nodes need the walt-net bridge: cannot plug ${tap} into ${bridge} (${(e as Error).message})`);
    }
    const netmask = netmaskOf(this.deps.config.network.waltNet.ip);
    return { ...nodeRef(node), serverIp: this.serverIp, netmask, boot: { kind: 'pxe', tap }, release: () => undefined };
  }
}

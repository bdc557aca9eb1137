import type { NodeRef } from '@walt/sdk';
import type { Device } from '../devices/device.js';
import type { LogService } from '../logs/log-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { PoeControl } from '../switches/poe-control.js';
import { softReboot } from './reboot-protocol.js';

export interface RebootOptions {
  /** Soft reboot timeout (15 s in WalT). */
  softTimeoutMs: number;
  /** How long a port stays off during a PoE hard reboot (2 s in WalT). */
  poeOffMs: number;
  /** TCP port of the node service (12346). */
  nodeServicePort: number;
}

export const DEFAULT_REBOOT_OPTIONS: RebootOptions = { softTimeoutMs: 15_000, poeOffMs: 2000, nodeServicePort: 12346 };

export interface RebootResult {
  lines: string[];
  ok: boolean;
}

/** Called when a node was rebooted (timers of power saving restart). */
export type RebootListener = (node: Device) => void;

function nodeRef(d: Device): NodeRef {
  return { mac: d.mac, ip: d.ip, name: d.name, model: d.model ?? '', image: d.image ?? '', settings: d.conf };
}

function listNames(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * `walt node reboot [--hard]`: soft reboot first (skipped with --hard, or when the node's port is
 * powered off), then the model's kill hook for virtual nodes, then a PoE power cycle for the rest,
 * when the node's model does not declare `poePowered: false`, its switch port is known and the
 * switch allows it.
 */
export class RebootService {
  private readonly listeners: RebootListener[] = [];

  constructor(
    private readonly poe: PoeControl,
    private readonly extensions: ExtensionRegistry,
    private readonly logs: LogService,
    private readonly options: RebootOptions = DEFAULT_REBOOT_OPTIONS,
  ) {}

  onReboot(listener: RebootListener): void {
    this.listeners.push(listener);
  }

  async reboot(nodes: readonly Device[], hard: boolean): Promise<RebootResult> {
    const outcomes = await Promise.all(nodes.map((n) => this.rebootOne(n, hard)));
    const okNames = nodes.filter((_, i) => outcomes[i] === undefined).map((n) => n.name);
    const lines: string[] = [];
    if (okNames.length) lines.push(`Node${okNames.length > 1 ? 's' : ''} ${listNames(okNames)}: rebooted OK.`);
    outcomes.forEach((o, i) => {
      if (o !== undefined) lines.push(`${nodes[i].name}: ${o}`);
    });
    return { lines, ok: okNames.length === nodes.length };
  }

  /** undefined when rebooted, else the failure text. */
  private async rebootOne(node: Device, hard: boolean): Promise<string | undefined> {
    let soft: string | undefined;
    const portOff = this.poe.isOff(node);
    if (!hard && !portOff && !node.virtual) {
      if (!node.ip) soft = 'unknown IP address';
      else soft = await softReboot(node.ip, { port: this.options.nodeServicePort, timeoutMs: this.options.softTimeoutMs });
      if (soft === undefined) {
        this.down(node, 'soft-reboot');
        return undefined;
      }
    }
    let method = 'hard-reboot';
    let hardError: string | undefined;
    const model = node.model ? this.extensions.nodeModel(node.model) : undefined;
    if (node.virtual || model?.capabilities?.virtual) {
      method = 'vnode hard-reboot';
      // The model's own hook, else the plugin that runs virtual nodes (api.virtualNodes).
      const provider = this.extensions.virtualNodeProvider()?.value;
      const kill = model?.hooks?.kill ?? (node.virtual && provider ? (n: NodeRef) => provider.kill(n) : undefined);
      if (!kill) hardError = `model ${node.model ?? '?'} has no kill hook for virtual nodes`;
      else {
        try {
          await kill(nodeRef(node));
          this.down(node, method);
        } catch (e) {
          hardError = (e as Error).message;
        }
      }
    } else if (model?.capabilities?.poePowered === false) {
      // The model says its power does not come from its switch port: cutting PoE would not reboot it.
      hardError = `model ${model.id} is not powered by its switch port (poePowered: false): power-cycle it by hand`;
    } else {
      hardError = await this.poeCycle(node);
    }
    if (hardError === undefined) return undefined;
    return soft === undefined ? `failed ${method} (${hardError})` : `failed soft-reboot (${soft}) and ${method} (${hardError})`;
  }

  private async poeCycle(node: Device): Promise<string | undefined> {
    const refusal = this.poe.refusal(node);
    if (refusal) return refusal;
    const pos = this.poe.position(node);
    if (typeof pos === 'string') return pos;
    try {
      await this.poe.set(pos.switchDevice, pos.port, false, 'hard-reboot');
      this.down(node, 'PoE hard-reboot');
      await new Promise((r) => setTimeout(r, this.options.poeOffMs));
      await this.poe.set(pos.switchDevice, pos.port, true, 'hard-reboot');
      return undefined;
    } catch (e) {
      return (e as Error).message.includes('SNMP') ? `SNMP issue: ${(e as Error).message}` : (e as Error).message;
    }
  }

  private down(node: Device, method: string): void {
    this.logs.platform('nodes', `node ${node.name} is down (cause: reboot requested, method: ${method})`);
    for (const l of this.listeners) l(node);
  }
}

import { NODE_MODEL_ID, type NodeRef } from './node-model.js';
import { checkNodeSettingsGrammar, type NodeSettingsGrammar } from './node-settings-grammar.js';

/**
 * How a virtual node's VM boots: the real walt-net path, a tap on the walt-net bridge (with a raw
 * device, or virtual-only), PXE from the server's DHCP/TFTP, then iPXE runs the image's start.ipxe,
 * exactly as a PC. The host created the tap; the provider only uses it. (The `direct` variant, the
 * image's kernel with its root over 9p, is gone: a real image could never reach `booted` that way.)
 */
export type VirtualNodeBoot = { kind: 'pxe'; tap: string };

/** Everything a VM start needs, read again before every start so new settings apply at the next one. */
export interface VirtualNodeSpec extends NodeRef {
  boot: VirtualNodeBoot;
  serverIp: string;
  netmask: string;
  /** Give back what the host holds for this run (the image view); call it once the VM exited. */
  release(): void;
}

/** The host's side of one virtual node, handed to the provider when the node starts. */
export interface VirtualNodeSession {
  readonly node: NodeRef;
  /** The node as it is now (settings, image, boot files); throws with a one-line reason when it cannot boot. */
  current(): Promise<VirtualNodeSpec>;
  /** Bytes the VM wrote on its serial console. */
  output(chunk: Uint8Array): void;
  /** A line about the VM's life (started, exited, cannot start), for the platform log. */
  event(line: string, options?: { error?: boolean }): void;
}

/**
 * Runs virtual nodes (qemu processes, containers, a cloud API...). The host owns the registry side
 * (names, MAC and IP, image, settings); the provider owns the processes: one supervisor per node that
 * boots the VM again when it exits (the reboot loop), until stop().
 */
export interface VirtualNodeProvider {
  /** Short id, e.g. "qemu". */
  id: string;
  description: string;
  /**
   * The node model of the nodes it runs (`walt node create` makes nodes of it, booting that model's
   * default image), e.g. pc-x86-64; another plugin may own the model itself.
   */
  model: string;
  /**
   * The settings of the nodes it runs (`walt node config <vnode> ram=1G`): the host validates typed
   * values through them, shows their defaults, and knows none by name. A new value applies at the
   * VM's next start (the host says to reboot). Names of the host's own node settings win.
   */
  settings?: NodeSettingsGrammar;
  /** Why virtual nodes cannot run on this host (one line), or undefined when they can. */
  check?(): Promise<string | undefined>;
  /** Start supervising a node (idempotent: a node already running is left alone). */
  start(session: VirtualNodeSession): Promise<void>;
  /** Hard reboot: kill the running VM; the supervisor boots it again. */
  kill(node: NodeRef): Promise<void>;
  /** Stop the VM and its supervisor for good (node removed, server stopping). */
  stop(node: NodeRef): Promise<void>;
  /** Forget what the provider kept for this node (disk files...), after stop(). */
  remove?(node: NodeRef): Promise<void>;
  /** Keystrokes for the VM's serial console. */
  input(node: NodeRef, data: Uint8Array): void;
}

const PROVIDER_ID = /^[a-z0-9][a-z0-9-]*$/;

/** Check a virtual node provider's shape (the host runs this on every api.virtualNodes() call). */
export function defineVirtualNodeProvider(provider: VirtualNodeProvider): VirtualNodeProvider {
  if (typeof provider !== 'object' || provider === null) throw new TypeError('defineVirtualNodeProvider: expected an object');
  if (typeof provider.id !== 'string' || !PROVIDER_ID.test(provider.id)) {
    throw new TypeError(`defineVirtualNodeProvider: invalid id ${JSON.stringify(provider.id)} (lowercase letters, digits and '-')`);
  }
  if (typeof provider.model !== 'string' || !NODE_MODEL_ID.test(provider.model)) {
    throw new TypeError(`defineVirtualNodeProvider(${provider.id}): invalid model ${JSON.stringify(provider.model)} (the id of a node model, e.g. pc-x86-64)`);
  }
  for (const f of ['start', 'kill', 'stop', 'input'] as const) {
    if (typeof provider[f] !== 'function') throw new TypeError(`defineVirtualNodeProvider(${provider.id}): ${f} must be a function`);
  }
  for (const f of ['check', 'remove'] as const) {
    if (provider[f] !== undefined && typeof provider[f] !== 'function') throw new TypeError(`defineVirtualNodeProvider(${provider.id}): ${f} must be a function`);
  }
  if (provider.settings !== undefined) checkNodeSettingsGrammar(provider.settings, `defineVirtualNodeProvider(${provider.id}): settings`);
  return provider;
}

import type { SettingsSchema } from './settings-schema.js';

/** What a node model can do; the host uses this to decide, e.g., whether a PoE hard reboot makes sense. */
export interface NodeCapabilities {
  /**
   * Powered through its switch port (PoE). `true`: WalT may power-cycle it (`walt node reboot --hard`)
   * and power it off when unused (power saving). `false`: WalT never cuts its port's power (a hard
   * reboot fails and says so; no power saving). Unset: hard reboot tries the port's PoE, power saving
   * leaves it alone.
   */
  poePowered?: boolean;
  /** Has a console the server can attach to. */
  console?: boolean;
  /** A virtual node run by the server (qemu). */
  virtual?: boolean;
}

/** The node a lifecycle hook acts on. */
export interface NodeRef {
  mac: string;
  ip: string | null;
  name: string;
  model: string;
  image: string;
  settings: Readonly<Record<string, unknown>>;
}

/**
 * Optional lifecycle hooks of a model. Only `kill` exists: `walt node reboot --hard` calls it (before
 * the virtual node provider's kill, and instead of a PoE power cycle). create, start and remove were
 * declared by API version 1 but never called (virtual nodes are run by a VirtualNodeProvider,
 * api.virtualNodes): they were removed, and defineNodeModel refuses them with that reason; API
 * version 1 is kept, since no behaviour depended on them.
 */
export interface NodeLifecycleHooks {
  /** Hard stop (the "hard reboot" of a node; a virtual one starts again by itself). */
  kill?(node: NodeRef): Promise<void>;
}

export interface NodeModel {
  /** The original WalT id: real bootloaders send `walt.node.<id>` as DHCP vendor or user class. */
  id: string;
  /** A family name shared by related models (rpi, pc, coral, virtual...). */
  family: string;
  description: string;
  /** MAC prefixes (OUIs, "b8:27:eb") of boards that may netboot from firmware before identifying themselves. */
  macPrefixes?: readonly string[];
  /** Id of the boot protocol this model's bootloader speaks (uboot, ipxe, rpi-firmware...). */
  bootProtocol: string;
  /** Default image; `waltplatform/<id>-default:latest` when omitted. */
  defaultImage?: string;
  /** Files an image must provide under `/boot/<id>/` to support this model. */
  bootFiles: readonly string[];
  capabilities?: NodeCapabilities;
  /** Extra per-node settings this model contributes to `walt node config`. */
  settings?: SettingsSchema;
  hooks?: NodeLifecycleHooks;
}

export const NODE_MODEL_ID = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

/** The default image of a model, as the original WalT names it. */
export function defaultImageOf(model: Pick<NodeModel, 'id' | 'defaultImage'>): string {
  return model.defaultImage ?? `waltplatform/${model.id}-default:latest`;
}

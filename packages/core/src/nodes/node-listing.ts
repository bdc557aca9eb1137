import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { imageOwner } from '../devices/device-set.js';
import { ownershipOf, type Ownership } from './node-ownership.js';
import { displayImageName } from './working-set-image.js';

/** `yes`, `no (powersave)` or `NO`, as `walt node show` prints it. */
export type BootedLabel = 'yes' | 'no (powersave)' | 'NO';

/** A node as `walt node show` lists it, for the user who asks. */
export interface NodeSummary {
  name: string;
  mac: string;
  /** physical | virtual */
  type: 'physical' | 'virtual';
  model: string | null;
  /** Full image name "<user>/<name>:<tag>". */
  image: string | null;
  /** Image name as shown (no user, no :latest). */
  imageName: string | null;
  imageOwner: string | null;
  /** `walt:<owner>/<image>`, how another user can clone it. */
  clonableImageLink: string | null;
  ip: string | null;
  netsetup: 'LAN' | 'NAT';
  booted: BootedLabel;
  /** Why the node is not booted, when the server knows (e.g. its image has no kernel for a virtual node). */
  bootProblem?: string;
  ownership: Ownership;
}

/**
 * The node listing. Whether a node is booted is known by the node-status side (bootup notifications,
 * powersave): `bootStatus` answers it; `bootProblem` says why a node cannot boot.
 */
export class NodeListing {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly bootStatus: (mac: string) => BootedLabel,
    /** Why a node cannot boot, when the server knows (virtual nodes: the VM start). */
    private readonly bootProblem: (mac: string) => string | undefined = () => undefined,
  ) {}

  summary(d: Device, user: string): NodeSummary {
    const owner = imageOwner(d.image);
    const booted = this.bootStatus(d.mac);
    const problem = booted === 'yes' ? undefined : this.bootProblem(d.mac);
    return {
      name: d.name,
      mac: d.mac,
      type: d.virtual ? 'virtual' : 'physical',
      model: d.model,
      image: d.image,
      imageName: d.image ? displayImageName(d.image) : null,
      imageOwner: owner,
      clonableImageLink: d.image && owner ? `walt:${owner}/${displayImageName(d.image)}` : null,
      ip: d.ip,
      netsetup: d.conf.netsetup === 'NAT' || d.conf.netsetup === 1 ? 'NAT' : 'LAN',
      booted,
      ...(problem ? { bootProblem: problem } : {}),
      ownership: ownershipOf(d, user),
    };
  }

  /** Every node, ordered as the original: by image owner, then name. */
  list(user: string): NodeSummary[] {
    return this.registry
      .all()
      .filter((d) => d.type === 'node')
      .map((d) => this.summary(d, user))
      .sort((a, b) => (a.imageOwner ?? '').localeCompare(b.imageOwner ?? '') || a.name.localeCompare(b.name));
  }
}

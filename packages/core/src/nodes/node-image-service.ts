import { WaltError } from '../errors.js';
import type { Device } from '../devices/device.js';
import type { DeviceRegistry } from '../devices/device-registry.js';
import { NODE_LABEL, formatSentence, listNames } from '../devices/format-sentence.js';
import type { ImageStore, WaltImage } from '../images/image-store.js';
import { UserDefaultClones } from '../images/user-default-clones.js';
import type { LogService } from '../logs/log-service.js';
import { checkOwnership, type OwnershipMode, type OwnershipAudit } from './node-ownership.js';
import { displayImageName, workingSetImage } from './working-set-image.js';

/** Why nodes got a new image (the reboot's cause, as the original logs it). */
export type BootCause = 'acquire' | 'release' | 'image change';

/** Nodes that will boot another image: whoever reboots nodes listens to this. */
export interface BootChange {
  nodes: Device[];
  cause: BootCause;
}

/** How the reboot of the changed nodes went: `lines` as `walt node reboot` says them; `ok` when all rebooted. */
export interface BootChangeReboot {
  lines: string[];
  ok: boolean;
}

/** A boot-change listener; the one that reboots returns the reboot's outcome, which the user is told. */
export type BootChangeListener = (change: BootChange) => Promise<BootChangeReboot | void> | void;

export interface NodeImageResult {
  /** Lines for the user, in order. */
  messages: string[];
  /** Nodes whose image changed (the ones to reboot). */
  changed: string[];
  /** The reboot of the changed nodes, when a listener rebooted them. */
  reboot?: BootChangeReboot;
}

/**
 * Node ownership through images: `walt node acquire`, `release` and `boot`. The change is recorded
 * (node.image) and announced to `onBootChange` listeners; rebooting the nodes is theirs to do, and
 * the answer waits for that reboot (as the original's client does) so the user hears how it went.
 */
export class NodeImageService {
  private readonly listeners = new Set<BootChangeListener>();

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly images: ImageStore,
    private readonly logs: LogService,
  ) {}

  /** Be told when nodes should reboot on a new image (the reboot side plugs in here). */
  onBootChange(listener: BootChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * `walt node boot <set> <image|default>`: your image (or each node's default image) on nodes that
   * are yours or free; others' nodes need `confirmed`. Incompatible models are refused.
   */
  async boot(nodes: readonly Device[], imageArg: string, user: string, confirmed: boolean): Promise<NodeImageResult> {
    if (imageArg === 'default') return this.bootDefault(nodes, user, 'owned-or-free', confirmed, 'image change');
    const fullname = workingSetImage(user, imageArg);
    checkOwnership(nodes, user, 'owned-or-free', confirmed, this.audit('node boot'));
    // A default image `walt image show` listed is copied into the working set at this first use.
    const cloned = await new UserDefaultClones(this.images, this.registry).materialize(user, fullname);
    const image = await this.images.get(fullname);
    if (!image) throw new WaltError('image-not-found', `No image named '${imageArg}' in your working set (see 'walt image show').`, 404);
    this.checkCompatible(image, nodes);
    const result = await this.assign(nodes.map((n) => [n, fullname] as const), 'image change', (names) =>
      formatSentence(`%s will now boot ${displayImageName(fullname)}.`, names, NODE_LABEL),
    );
    return { ...result, messages: [...cloned, ...result.messages] };
  }

  /** `walt node release <set>`: your nodes boot their default image again (they become free). */
  release(nodes: readonly Device[], user: string): Promise<NodeImageResult> {
    return this.bootDefault(nodes, user, 'owned', false, 'release');
  }

  /**
   * `walt node acquire <set>`: clone each model's default image into your working set (unless you
   * have it already), then boot the nodes on it. Your own nodes are an error; others' need `confirmed`.
   */
  async acquire(nodes: readonly Device[], user: string, confirmed: boolean): Promise<NodeImageResult> {
    checkOwnership(nodes, user, 'free-or-not-owned', confirmed, this.audit('node acquire'));
    // Group the models by default image (one image often covers several models).
    const byDefault = new Map<string, string[]>();
    for (const n of nodes) {
      const d = this.registry.defaultImageOf(n.model!);
      const models = byDefault.get(d) ?? [];
      if (!models.includes(n.model!)) models.push(n.model!);
      byDefault.set(d, models.sort());
    }
    // Check everything before the first clone.
    const plan: Array<{ source: WaltImage; target: string; models: string[]; exists: boolean }> = [];
    for (const [defaultImage, models] of byDefault) {
      const source = await this.defaultImage(defaultImage, models);
      const name = source.preferredName ?? `${models[0]}-default`;
      const target = `${user}/${name}:latest`;
      const existing = await this.images.get(target);
      if (existing) {
        const missing = models.filter((m) => !existing.models.includes(m));
        if (missing.length) {
          throw new WaltError(
            'image-conflict',
            `your image '${displayImageName(target)}' does not support model ${listNames(missing)}: rename it (walt image rename) and retry.`,
            409,
          );
        }
      }
      plan.push({ source, target, models, exists: !!existing });
    }
    const messages: string[] = [];
    const targetOfModel = new Map<string, string>();
    for (const p of plan) {
      if (!p.exists) {
        await this.images.tag(p.source.fullname, p.target);
        messages.push(`Cloned ${displayImageName(p.target)}, a default image for ${listNames(p.models)}.`);
      }
      for (const m of p.models) targetOfModel.set(m, p.target);
    }
    const result = await this.assign(nodes.map((n) => [n, targetOfModel.get(n.model!)!] as const), 'acquire', (names, image) =>
      formatSentence(`%s will now boot ${displayImageName(image)}.`, names, NODE_LABEL),
    );
    return { ...result, messages: [...messages, ...result.messages] };
  }

  private audit(action: string): OwnershipAudit {
    return { action, log: (line) => this.logs.platform('nodes', line) };
  }

  private async bootDefault(nodes: readonly Device[], user: string, mode: OwnershipMode, confirmed: boolean, cause: BootCause): Promise<NodeImageResult> {
    checkOwnership(nodes, user, mode, confirmed, this.audit(`node ${cause === 'release' ? 'release' : 'boot'}`));
    const targets = nodes.map((n) => [n, this.registry.defaultImageOf(n.model!)] as const);
    for (const image of new Set(targets.map(([, i]) => i))) {
      await this.defaultImage(image, targets.filter(([, i]) => i === image).map(([n]) => n.model!));
    }
    return this.assign(targets, cause, (names) =>
      formatSentence("%s will now boot {its|their} default image (other users will see {it is|they are} 'free').", names, NODE_LABEL),
      true,
    );
  }

  /** The default image of these models, present in the store (pulled if needed). */
  private async defaultImage(fullname: string, models: string[]): Promise<WaltImage> {
    const local = await this.images.get(fullname);
    if (local) return local;
    try {
      return await this.images.pull(fullname);
    } catch (e) {
      throw new WaltError(
        'default-image-unavailable',
        `the default image of ${listNames(models)} nodes (${fullname}) is not available: ${(e as Error).message}`,
        503,
      );
    }
  }

  private checkCompatible(image: WaltImage, nodes: readonly Device[]): void {
    const bad = nodes.filter((n) => !n.model || !image.models.includes(n.model));
    if (!bad.length) return;
    const models = [...new Set(bad.map((n) => n.model ?? 'unknown'))].sort();
    const supports = image.models.length ? `it supports ${listNames(image.models)}` : 'it declares no node model (label walt.node.models)';
    throw new WaltError(
      'incompatible-image',
      formatSentence(
        `Image ${displayImageName(image.fullname)} is not compatible with %s (model ${listNames(models)}): ${supports}.`,
        bad.map((n) => n.name),
        NODE_LABEL,
      ),
      400,
    );
  }

  /**
   * The content of an image changed under the same name (image shell, build, squash, cp): its nodes
   * reboot onto the new version, as the original does. No node on it: nothing to say.
   */
  async imageReplaced(fullname: string): Promise<NodeImageResult> {
    const nodes = this.registry.all().filter((d) => d.type === 'node' && d.image === fullname);
    if (!nodes.length) return { messages: [], changed: [] };
    this.logs.platform('nodes', `image ${fullname} was updated: rebooting the nodes using it`);
    const result: NodeImageResult = {
      messages: [formatSentence('Trying to reboot %s using this image...', nodes.map((n) => n.name), NODE_LABEL)],
      changed: nodes.map((n) => n.name),
    };
    const outcomes = await Promise.all([...this.listeners].map((l) => l({ nodes, cause: 'image change' })));
    const reboots = outcomes.filter((o): o is BootChangeReboot => !!o);
    if (reboots.length) result.reboot = { lines: reboots.flatMap((r) => r.lines), ok: reboots.every((r) => r.ok) };
    return result;
  }

  /** Record the new images (one transaction), log them, announce the change; skip nodes already on it. */
  private async assign(
    targets: ReadonlyArray<readonly [Device, string]>,
    cause: BootCause,
    sentence: (names: string[], image: string) => string,
    oneSentence = false,
  ): Promise<NodeImageResult> {
    const ignored = targets.filter(([n, image]) => n.image === image).map(([n]) => n.name);
    const changing = targets.filter(([n, image]) => n.image !== image);
    const updated = this.registry.transaction(() => changing.map(([n, image]) => this.registry.update(n.mac, { image })));
    for (const n of updated) this.logs.platform('nodes', `node ${n.name} will now boot ${n.image} (${cause})`);
    const messages: string[] = [];
    if (ignored.length) messages.push(formatSentence('%s: ignored, {it is|they are} already using this image.', ignored, NODE_LABEL));
    const byImage = new Map<string, string[]>();
    for (const n of updated) byImage.set(n.image!, [...(byImage.get(n.image!) ?? []), n.name]);
    if (oneSentence && updated.length) messages.push(sentence(updated.map((n) => n.name), ''));
    else for (const [image, names] of byImage) messages.push(sentence(names, image));
    const result: NodeImageResult = { messages, changed: updated.map((n) => n.name) };
    if (!updated.length) return result;
    const change: BootChange = { nodes: updated, cause };
    const outcomes = await Promise.all([...this.listeners].map((l) => l(change)));
    const reboots = outcomes.filter((o): o is BootChangeReboot => !!o);
    if (reboots.length) result.reboot = { lines: reboots.flatMap((r) => r.lines), ok: reboots.every((r) => r.ok) };
    return result;
  }
}

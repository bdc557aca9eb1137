import type { BootProtocol, HelpTopic, NodeModel, SwitchDriver, VirtualNodeProvider } from '@walt/sdk';

/** Who contributed what: every contribution remembers its plugin, for reports and conflict messages. */
export interface Contribution<T> {
  plugin: string;
  value: T;
}

/**
 * The extension points' contents once plugins are registered: node models by id, boot protocols in
 * claim order, switch drivers in probe order, help topics. Conflicts are refused with both owners named.
 */
export class ExtensionRegistry {
  private readonly models = new Map<string, Contribution<NodeModel>>();
  private readonly protocols = new Map<string, Contribution<BootProtocol>>();
  private readonly drivers = new Map<string, Contribution<SwitchDriver>>();
  private readonly topics = new Map<string, Contribution<HelpTopic>>();
  private readonly virtualProviders = new Map<string, Contribution<VirtualNodeProvider>>();

  /** Check a plugin's contributions against what is registered, without registering anything. */
  conflicts(plugin: string, c: PluginContributions): string[] {
    const out: string[] = [];
    const check = <T>(map: Map<string, Contribution<T>>, kind: string, ids: string[]) => {
      const seen = new Set<string>();
      for (const id of ids) {
        const owner = map.get(id);
        if (owner) out.push(`${kind} '${id}' is already provided by ${owner.plugin}`);
        if (seen.has(id)) out.push(`${kind} '${id}' is declared twice by ${plugin}`);
        seen.add(id);
      }
    };
    check(this.models, 'node model', c.nodeModels.map((m) => m.id));
    check(this.protocols, 'boot protocol', c.bootProtocols.map((p) => p.id));
    check(this.drivers, 'switch driver', c.switchDrivers.map((d) => d.id));
    check(this.topics, 'help topic', c.helpTopics.map((t) => t.name));
    check(this.virtualProviders, 'virtual node provider', (c.virtualNodeProviders ?? []).map((p) => p.id));
    return out;
  }

  /** Register all of a plugin's contributions, or none (throws with every conflict). */
  add(plugin: string, c: PluginContributions): void {
    const problems = this.conflicts(plugin, c);
    if (problems.length) throw new Error(problems.join('; '));
    for (const m of c.nodeModels) this.models.set(m.id, { plugin, value: m });
    for (const p of c.bootProtocols) this.protocols.set(p.id, { plugin, value: p });
    for (const d of c.switchDrivers) this.drivers.set(d.id, { plugin, value: d });
    for (const t of c.helpTopics) this.topics.set(t.name, { plugin, value: t });
    for (const p of c.virtualNodeProviders ?? []) this.virtualProviders.set(p.id, { plugin, value: p });
  }

  /**
   * Withdraw every contribution of a plugin (one that failed at run time), so the platform stops
   * using it. Returns what was withdrawn.
   */
  remove(plugin: string): PluginContributions {
    const out = emptyContributions();
    const take = <T>(map: Map<string, Contribution<T>>, into: T[]) => {
      for (const [id, c] of map) {
        if (c.plugin === plugin) {
          into.push(c.value);
          map.delete(id);
        }
      }
    };
    take(this.models, out.nodeModels);
    take(this.protocols, out.bootProtocols);
    take(this.drivers, out.switchDrivers);
    take(this.topics, out.helpTopics);
    take(this.virtualProviders, out.virtualNodeProviders!);
    return out;
  }

  /** The plugin that contributed a node model, boot protocol, switch driver or help topic. */
  ownerOf(kind: 'nodeModel' | 'bootProtocol' | 'switchDriver' | 'helpTopic', id: string): string | undefined {
    const map = { nodeModel: this.models, bootProtocol: this.protocols, switchDriver: this.drivers, helpTopic: this.topics }[kind];
    return map.get(id)?.plugin;
  }

  nodeModel(id: string): NodeModel | undefined {
    return this.models.get(id)?.value;
  }

  nodeModels(): Contribution<NodeModel>[] {
    return [...this.models.values()];
  }

  /** Boot protocols in claim order (ascending `order`, then registration order). */
  bootProtocols(): BootProtocol[] {
    return [...this.protocols.values()].map((c) => c.value).sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  }

  bootProtocol(id: string): BootProtocol | undefined {
    return this.protocols.get(id)?.value;
  }

  switchDrivers(): Contribution<SwitchDriver>[] {
    return [...this.drivers.values()];
  }

  helpTopic(name: string): HelpTopic | undefined {
    return this.topics.get(name)?.value;
  }

  /** The provider that runs virtual nodes: the first one registered (built-in before third-party). */
  virtualNodeProvider(): Contribution<VirtualNodeProvider> | undefined {
    return this.virtualProviders.values().next().value;
  }

  helpTopics(): HelpTopic[] {
    return [...this.topics.values()].map((c) => c.value);
  }

  /** Models whose MAC prefixes match this MAC. */
  modelsForMac(mac: string): string[] {
    return [...this.models.values()]
      .filter((c) => (c.value.macPrefixes ?? []).some((p) => mac.startsWith(p)))
      .map((c) => c.value.id);
  }
}

export interface PluginContributions {
  nodeModels: NodeModel[];
  bootProtocols: BootProtocol[];
  switchDrivers: SwitchDriver[];
  helpTopics: HelpTopic[];
  /** Optional so callers that predate virtual nodes keep compiling. */
  virtualNodeProviders?: VirtualNodeProvider[];
}

export const emptyContributions = (): PluginContributions => ({ nodeModels: [], bootProtocols: [], switchDrivers: [], helpTopics: [], virtualNodeProviders: [] });

import {
  EXTENSION_POINTS,
  emptyContributions,
  type BootProtocol,
  type ContributionOf,
  type Contributions,
  type ExtensionPointTable,
  type HelpTopic,
  type NodeModel,
  type StandardExtensionPoints,
  type SwitchDriver,
  type VirtualNodeProvider,
} from '@walt/sdk';

export { emptyContributions };

/** Who contributed what: every contribution remembers its plugin, for reports and conflict messages. */
export interface Contribution<T> {
  plugin: string;
  value: T;
}

/** One plugin's contributions, by extension point. */
export type PluginContributions<Table extends ExtensionPointTable = StandardExtensionPoints> = Contributions<Table>;

type KindOf<Table extends ExtensionPointTable> = Table[number]['kind'];
type ValueOfKind<Table extends ExtensionPointTable, K> = ContributionOf<Extract<Table[number], { kind: K }>>;

/**
 * The extension points' contents once plugins are registered, one map per kind of the table
 * (keyed by the kind's conflict key), in registration order. Conflicts are refused with both owners
 * named; a withdrawn plugin's contributions go through their kind's withdraw.
 */
export class ExtensionRegistry<Table extends ExtensionPointTable = StandardExtensionPoints> {
  private readonly byKind = new Map<string, Map<string, Contribution<unknown>>>();

  constructor(readonly points: Table = EXTENSION_POINTS as unknown as Table) {
    for (const point of points) this.byKind.set(point.kind, new Map());
  }

  /** Check a plugin's contributions against what is registered (and against themselves), without registering anything. */
  conflicts(plugin: string, c: Contributions<Table>): string[] {
    const out: string[] = [];
    const lists = c as Record<string, unknown[]>;
    for (const point of this.points) {
      const map = this.byKind.get(point.kind)!;
      const seen = new Set<string>();
      for (const value of lists[point.kind] ?? []) {
        const key = point.key(value);
        const owner = map.get(key);
        if (owner) out.push(`${point.noun} '${key}' is already provided by ${owner.plugin}`);
        if (seen.has(key)) out.push(`${point.noun} '${key}' is declared twice by ${plugin}`);
        seen.add(key);
      }
    }
    return out;
  }

  /** Register all of a plugin's contributions, or none (throws with every conflict). */
  add(plugin: string, c: Contributions<Table>): void {
    const problems = this.conflicts(plugin, c);
    if (problems.length) throw new Error(problems.join('; '));
    const lists = c as Record<string, unknown[]>;
    for (const point of this.points) {
      const map = this.byKind.get(point.kind)!;
      for (const value of lists[point.kind] ?? []) map.set(point.key(value), { plugin, value });
    }
  }

  /**
   * Withdraw every contribution of a plugin (one that failed at run time), so the platform stops
   * using it, each through its kind's withdraw. Returns what was withdrawn.
   */
  remove(plugin: string, onWithdrawError?: (error: unknown) => void): Contributions<Table> {
    const out = emptyContributions(this.points);
    const lists = out as Record<string, unknown[]>;
    for (const point of this.points) {
      const map = this.byKind.get(point.kind)!;
      for (const [key, c] of map) {
        if (c.plugin !== plugin) continue;
        map.delete(key);
        lists[point.kind].push(c.value);
        if (point.withdraw) void Promise.resolve().then(() => point.withdraw!(c.value)).catch((e) => onWithdrawError?.(e));
      }
    }
    return out;
  }

  /** The plugin that contributed this (kind, key). */
  ownerOf(kind: KindOf<Table>, key: string): string | undefined {
    return this.byKind.get(kind)?.get(key)?.plugin;
  }

  /** Every contribution of a kind, in registration order. */
  all<K extends KindOf<Table>>(kind: K): Contribution<ValueOfKind<Table, K>>[] {
    return [...(this.byKind.get(kind)?.values() ?? [])] as Contribution<ValueOfKind<Table, K>>[];
  }

  /** The contribution of a kind with this key. */
  get<K extends KindOf<Table>>(kind: K, key: string): ValueOfKind<Table, K> | undefined {
    return this.byKind.get(kind)?.get(key)?.value as ValueOfKind<Table, K> | undefined;
  }

  // Typed views of the built-in kinds, for the services that use them.

  nodeModel(id: string): NodeModel | undefined {
    return this.byKind.get('nodeModels')?.get(id)?.value as NodeModel | undefined;
  }

  nodeModels(): Contribution<NodeModel>[] {
    return this.list<NodeModel>('nodeModels');
  }

  /** Boot protocols in claim order (ascending `order`, then registration order). */
  bootProtocols(): BootProtocol[] {
    return this.list<BootProtocol>('bootProtocols')
      .map((c) => c.value)
      .sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  }

  bootProtocol(id: string): BootProtocol | undefined {
    return this.byKind.get('bootProtocols')?.get(id)?.value as BootProtocol | undefined;
  }

  switchDrivers(): Contribution<SwitchDriver>[] {
    return this.list<SwitchDriver>('switchDrivers');
  }

  helpTopic(name: string): HelpTopic | undefined {
    return this.byKind.get('helpTopics')?.get(name)?.value as HelpTopic | undefined;
  }

  helpTopics(): HelpTopic[] {
    return this.list<HelpTopic>('helpTopics').map((c) => c.value);
  }

  /** The provider that runs virtual nodes: the first one registered (built-in before third-party). */
  virtualNodeProvider(): Contribution<VirtualNodeProvider> | undefined {
    return this.list<VirtualNodeProvider>('virtualNodeProviders')[0];
  }

  /** Models whose MAC prefixes match this MAC. */
  modelsForMac(mac: string): string[] {
    return this.nodeModels()
      .filter((c) => (c.value.macPrefixes ?? []).some((p) => mac.startsWith(p)))
      .map((c) => c.value.id);
  }

  private list<T>(kind: string): Contribution<T>[] {
    return [...(this.byKind.get(kind)?.values() ?? [])] as Contribution<T>[];
  }
}

import type { SettingValue } from './settings-schema.js';

/**
 * A per-node setting whose values follow a grammar richer than a SettingSpec's (e.g. a virtual
 * node's `disks=8G,1T[template=ext4]`): its contributor parses what a user types. The host's
 * `walt node config` / `walt device config` validate through `parse` and know no such setting by name.
 */
export interface NodeSettingGrammar {
  description: string;
  /** Shown by `walt node config <node>` when nothing is stored. */
  default: SettingValue;
  /** The value to store for what a user typed; throws an Error with a one-line message naming the setting. */
  parse(raw: string): SettingValue;
}

export type NodeSettingsGrammar = Readonly<Record<string, NodeSettingGrammar>>;

const SETTING_NAME = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/;

/** Check a grammar's shape when it is contributed. Throws a one-line TypeError naming the setting. */
export function checkNodeSettingsGrammar(grammar: unknown, where: string): asserts grammar is NodeSettingsGrammar {
  if (typeof grammar !== 'object' || grammar === null || Array.isArray(grammar)) {
    throw new TypeError(`${where}: expected a mapping of setting name to {description, default, parse}`);
  }
  for (const [name, setting] of Object.entries(grammar as Record<string, unknown>)) {
    const at = `${where}.${name}`;
    if (!SETTING_NAME.test(name)) throw new TypeError(`${at}: invalid setting name (lowercase words joined by '-', '_' or '.')`);
    if (typeof setting !== 'object' || setting === null) throw new TypeError(`${at}: expected {description, default, parse}`);
    const s = setting as Record<string, unknown>;
    if (typeof s.description !== 'string' || !s.description.trim()) throw new TypeError(`${at}: a description is required`);
    if (typeof s.parse !== 'function') throw new TypeError(`${at}: parse must be a function`);
    if (!['boolean', 'number', 'string'].includes(typeof s.default)) throw new TypeError(`${at}: default must be a boolean, a number or a string`);
    try {
      (s.parse as NodeSettingGrammar['parse'])(String(s.default));
    } catch (e) {
      throw new TypeError(`${at}: its default does not parse (${(e as Error).message})`);
    }
  }
}

import { createServer } from 'node:net';
import { parseSettingValue, type SettingSpec } from '@walt/sdk';
import { WaltError, invalid } from '../errors.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { Device } from './device.js';
import type { DeviceRegistry } from './device-registry.js';
import { BUILTIN_BY_NAME, formatSettingValue, parseExpose, type SettingCategory, type SettingDefinition } from './device-settings.js';
import { DEVICE_LABEL, NODE_LABEL, SWITCH_LABEL, formatSentence, listNames } from './format-sentence.js';

/** One paragraph of `walt device config <set>`: devices sharing the same settings. */
export interface ConfigGroup {
  title: string;
  devices: string[];
  /** Sorted "name=value" lines. */
  lines: string[];
}

export interface ConfigChange {
  /** What to print, in order (e.g. "Renaming X to Y for clarity.", then "Done."). */
  messages: string[];
  devices: string[];
}

const UNKNOWN_SETTING = (name: string) => invalid(`Unknown setting '${name}'. See: 'walt help show device-config'`);

/** A setting a plugin's node model contributes (NodeModel.settings), with the models declaring it. */
interface PluginSetting {
  name: string;
  specs: Map<string, SettingSpec>; // model id -> spec
}

/**
 * `walt device config` and `walt node config`: show the settings of a set of devices, or set some
 * on all of them. Every check runs before anything is written: one invalid setting, value or
 * device and nothing changes.
 */
export class DeviceConfigService {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly extensions: ExtensionRegistry,
  ) {}

  /** Does this built-in category apply to this device? */
  private inCategory(d: Device, category: SettingCategory): boolean {
    switch (category) {
      case 'walt-net-devices':
        return d.type !== 'server' && this.registry.inWaltNet(d.ip);
      case 'nodes':
        return d.type === 'node';
      case 'virtual-nodes':
        return d.type === 'node' && d.virtual;
      case 'switches':
        return d.type === 'switch';
      case 'unknown':
        return d.type === 'unknown';
    }
  }

  /**
   * The settings of virtual nodes, from the grammar the virtual-node provider contributes (core knows
   * none by name). Each applies at the VM's next start; built-in names win.
   */
  private virtualNodeSettings(): SettingDefinition[] {
    const grammar = this.extensions.virtualNodeProvider()?.value.settings ?? {};
    return Object.entries(grammar)
      .filter(([name]) => !BUILTIN_BY_NAME.has(name))
      .map(([name, setting]) => ({
        name,
        category: 'virtual-nodes' as const,
        default: setting.default,
        reboot: true,
        description: setting.description,
        parse: (raw: string) => {
          let value: unknown;
          try {
            value = setting.parse(raw);
          } catch (e) {
            // The plugin's message, kept to one line (a plugin's parser is input like any other).
            const message = (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();
            throw invalid(message || `'${raw}' is not a valid value for ${name}.`);
          }
          if (!['boolean', 'number', 'string'].includes(typeof value)) {
            throw invalid(`setting '${name}': the virtual node provider gave no value for '${raw}' (a plugin defect; nothing was changed).`);
          }
          return value;
        },
      }));
  }

  /** The settings the host checks by category: built-in ones and those of virtual nodes. */
  private hostSettings(): Map<string, SettingDefinition> {
    return new Map([...BUILTIN_BY_NAME, ...this.virtualNodeSettings().map((s) => [s.name, s] as const)]);
  }

  /** Settings a plugin contributes for this node's model (the host's names win over plugin ones). */
  private modelSettings(d: Device, host: Map<string, SettingDefinition>): Record<string, SettingSpec> {
    if (d.type !== 'node' || !d.model) return {};
    const specs = this.extensions.nodeModel(d.model)?.settings ?? {};
    return Object.fromEntries(Object.entries(specs).filter(([k]) => !host.has(k)));
  }

  private pluginSetting(name: string): PluginSetting | undefined {
    const specs = new Map<string, SettingSpec>();
    for (const { value: model } of this.extensions.nodeModels()) {
      const spec = model.settings?.[name];
      if (spec) specs.set(model.id, spec);
    }
    return specs.size ? { name, specs } : undefined;
  }

  /** Every setting of a device with its value (stored, else default). */
  effectiveSettings(d: Device): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const host = this.hostSettings();
    for (const def of host.values()) {
      if (!this.inCategory(d, def.category)) continue;
      out[def.name] = def.name === 'type' ? d.type : def.name in d.conf ? d.conf[def.name] : def.default;
    }
    for (const [name, spec] of Object.entries(this.modelSettings(d, host))) {
      out[name] = name in d.conf ? d.conf[name] : spec.default;
    }
    return out;
  }

  /** The show output: devices grouped by identical settings, or "Server has no config option available.". */
  show(devices: readonly Device[]): ConfigGroup[] {
    const groups = new Map<string, ConfigGroup & { label: typeof NODE_LABEL }>();
    for (const d of devices) {
      if (d.type === 'server') {
        groups.set('server', { title: 'Server has no config option available.', devices: [d.name], lines: [], label: DEVICE_LABEL });
        continue;
      }
      const settings = this.effectiveSettings(d);
      const lines = Object.keys(settings)
        .sort()
        .map((k) => `${k}=${formatSettingValue(k, settings[k])}`);
      const label = d.type === 'node' ? NODE_LABEL : d.type === 'switch' ? SWITCH_LABEL : DEVICE_LABEL;
      const key = `${label.singular}\n${lines.join('\n')}`;
      const group = groups.get(key) ?? { title: '', devices: [], lines, label };
      group.devices.push(d.name);
      groups.set(key, group);
    }
    return [...groups.values()]
      .map(({ label, ...g }) => ({
        ...g,
        title: g.title || formatSentence('%s {has|have} the following config applied:', g.devices, label),
      }))
      .sort((a, b) => a.devices[0].localeCompare(b.devices[0]));
  }

  /** Check then apply `name=value` settings on every device, all or nothing. */
  async apply(devices: readonly Device[], assignments: ReadonlyArray<readonly [string, string]>): Promise<ConfigChange> {
    if (!assignments.length) throw invalid('Please provide settings as `<setting name>=<setting value>` arguments.');
    const raw = new Map<string, string>();
    for (const [name, value] of assignments) {
      if (raw.has(name)) throw invalid(`setting '${name}' is given twice.`);
      raw.set(name, value);
    }
    // 1. Every name is known.
    const defs = new Map<string, SettingDefinition | PluginSetting>();
    const host = this.hostSettings();
    for (const name of raw.keys()) {
      const def = host.get(name) ?? this.pluginSetting(name);
      if (!def) throw UNKNOWN_SETTING(name);
      defs.set(name, def);
    }
    const becomesSwitch = raw.has('type');
    // 2. Every device is one the setting applies to; 3. every value parses (per device for plugin settings).
    const values = new Map<string, Record<string, unknown>>(devices.map((d) => [d.mac, {}]));
    for (const [name, def] of defs) {
      const value = raw.get(name)!;
      if ('category' in def) {
        this.checkCategory(devices, def, becomesSwitch);
        const parsed = def.parse(value);
        for (const d of devices) values.get(d.mac)![name] = parsed;
      } else {
        const outside = devices.filter((d) => d.type !== 'node' || !d.model || !def.specs.has(d.model));
        if (outside.length) {
          throw invalid(
            formatSentence(`%s {does not provide|do not provide} setting '${name}' (it is a setting of ${[...def.specs.keys()].sort().join(', ')} nodes).`, outside.map((d) => d.name), DEVICE_LABEL),
          );
        }
        for (const d of devices) {
          try {
            values.get(d.mac)![name] = parseSettingValue(name, def.specs.get(d.model!)!, value);
          } catch (e) {
            throw invalid((e as Error).message);
          }
        }
      }
    }
    // 4. Dependencies between settings, on the values the devices would have.
    this.checkDependencies(devices, values);
    if (raw.has('expose')) await this.checkExpose(devices, values);

    // 5. Apply everything in one transaction.
    const messages: string[] = [];
    this.registry.transaction(() => {
      for (const d of devices) {
        const patch = { ...values.get(d.mac)! };
        let device = d;
        if ('type' in patch) {
          delete patch.type;
          device = this.registry.convert(this.registry.byMac(d.mac)!, 'switch', undefined, messages);
        }
        if (Object.keys(patch).length) this.registry.update(device.mac, { conf: patch });
      }
    });
    const reboot = [...defs.values()].some((def) => !('category' in def) || def.reboot);
    const allNodes = devices.every((d) => d.type === 'node');
    messages.push(reboot ? `Done. Reboot ${allNodes ? 'node(s)' : 'device(s)'} to see new settings in effect.` : 'Done.');
    return { messages, devices: devices.map((d) => d.name) };
  }

  private checkCategory(devices: readonly Device[], def: SettingDefinition, becomesSwitch: boolean): void {
    const outside = devices.filter((d) => !this.inCategory(d, def.category) && !(becomesSwitch && def.category === 'switches' && d.type === 'unknown'));
    if (!outside.length) return;
    const names = outside.map((d) => d.name);
    const s = def.name;
    switch (def.category) {
      case 'switches':
        throw invalid(formatSentence(`%s {is not a switch|are not switches}, so '${s}' setting cannot be applied.`, names, DEVICE_LABEL));
      case 'nodes':
        throw invalid(formatSentence(`%s {is not a node|are not nodes}, so '${s}' setting cannot be applied.`, names, DEVICE_LABEL));
      case 'unknown':
        throw invalid(`setting 'type' can only be applied to unknown devices (${listNames([...names].sort())} ${names.length > 1 ? 'are' : 'is'} not).`);
      case 'virtual-nodes': {
        const notNodes = outside.filter((d) => d.type !== 'node').map((d) => d.name);
        const physical = outside.filter((d) => d.type === 'node').map((d) => d.name);
        const parts: string[] = [];
        if (notNodes.length) parts.push(formatSentence('%s {is not a node|are not nodes}', notNodes, DEVICE_LABEL));
        if (physical.length) parts.push(formatSentence('%s {is not virtual|are not virtual}', physical, NODE_LABEL));
        throw invalid(`${joinClauses(parts)}, so '${s}' setting is not supported.`);
      }
      case 'walt-net-devices': {
        const others = outside.filter((d) => d.type !== 'server').map((d) => d.name);
        const server = outside.filter((d) => d.type === 'server').map((d) => d.name);
        const parts: string[] = [];
        if (others.length) parts.push(formatSentence('%s {is not a device|are not devices} managed inside walt-net', others, DEVICE_LABEL));
        if (server.length) parts.push(`${server[0]} is the WALT server`);
        throw invalid(`${joinClauses(parts)}, so '${s}' setting cannot be applied.`);
      }
    }
  }

  private checkDependencies(devices: readonly Device[], values: Map<string, Record<string, unknown>>): void {
    const after = (d: Device) => ({ ...d.conf, ...values.get(d.mac)! });
    const missingSnmp = devices.filter((d) => {
      const v = after(d);
      return values.get(d.mac)!['lldp.explore'] === true && (v['snmp.version'] === undefined || v['snmp.community'] === undefined);
    });
    if (missingSnmp.length) {
      throw invalid(
        formatSentence(
          "lldp.explore=true needs snmp.version and snmp.community on %s: set them too (e.g. 'lldp.explore=true snmp.version=2 snmp.community=private').",
          missingSnmp.map((d) => d.name),
          DEVICE_LABEL,
        ),
      );
    }
    const noLldp = devices.filter((d) => values.get(d.mac)!['poe.reboots'] === true && after(d)['lldp.explore'] !== true);
    if (noLldp.length) {
      throw invalid(
        formatSentence("poe.reboots=true needs lldp.explore=true on %s: set it too (e.g. 'lldp.explore=true poe.reboots=true').", noLldp.map((d) => d.name), DEVICE_LABEL),
      );
    }
  }

  /** One device only; server ports not exposed for another device, and free on the server. */
  private async checkExpose(devices: readonly Device[], values: Map<string, Record<string, unknown>>): Promise<void> {
    const value = String(values.get(devices[0].mac)!.expose);
    const pairs = parseExpose(value);
    if (!pairs.length) return;
    if (devices.length > 1) throw invalid('cannot expose the same server port for several devices.');
    const device = devices[0];
    const mine = new Set(parseExpose(String(device.conf.expose ?? 'none')).map(([, s]) => s));
    for (const other of this.registry.all()) {
      if (other.mac === device.mac || typeof other.conf.expose !== 'string') continue;
      for (const [, sport] of parseExpose(other.conf.expose)) {
        if (pairs.some(([, s]) => s === sport)) throw invalid(`server port ${sport} is already exposed for device ${other.name}.`);
      }
    }
    for (const [, sport] of pairs) {
      if (mine.has(sport)) continue; // already forwarded for this device
      const problem = await bindProblem(sport);
      if (problem) throw new WaltError('port-unavailable', `server port ${sport} cannot be used (${problem}); choose another one.`, 409);
    }
  }
}

/** "A is x" + "B is y" -> "A is x, and b is y" (only the sentence start is capitalized). */
function joinClauses(parts: string[]): string {
  return parts.map((p, i) => (i ? p.charAt(0).toLowerCase() + p.slice(1) : p)).join(', and ');
}

/** Can the server listen on this TCP port? Undefined when yes, else the reason. */
function bindProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE' ? 'it is already in use on the server' : e.code ?? e.message));
    srv.listen({ port, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

import { invalid } from '../errors.js';

/**
 * The built-in device settings of `walt device config` / `walt node config` (the original's
 * settings.py): which devices each applies to, how a typed value is checked and stored, its default,
 * and whether a reboot is needed to see it in effect. Virtual nodes' own settings (ram, disks...)
 * are not here: the virtual-node provider contributes their grammar (VirtualNodeProvider.settings).
 */
export type SettingCategory = 'walt-net-devices' | 'nodes' | 'virtual-nodes' | 'switches' | 'unknown';

export interface SettingDefinition {
  name: string;
  category: SettingCategory;
  /** Shown when nothing is stored; undefined shows as <unspecified>. */
  default: unknown;
  /** The new value needs a reboot of the device to take effect. */
  reboot: boolean;
  /** Typed value from the command-line text; throws a one-line WaltError. */
  parse(raw: string): unknown;
  description: string;
}

const bool = (name: string) => (raw: string) => {
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`setting '${name}' only allows values 'true' or 'false'.`);
};

const intAtLeast = (name: string, min: number, what: string) => (raw: string) => {
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw invalid(`'${raw}' is not a valid value for ${name} (expecting ${what}).`);
  }
  return Number(raw);
};

/** "none" or "dport:sport[,dport:sport...]" as [device port, server port] pairs (no duplicate on either side). */
export function parseExpose(raw: string): Array<[number, number]> {
  if (raw.toLowerCase() === 'none') return [];
  const pairs: Array<[number, number]> = [];
  const port = (s: string) => (/^\d{1,5}$/.test(s) && Number(s) >= 1 && Number(s) <= 65535 ? Number(s) : undefined);
  for (const item of raw.split(',')) {
    const [d, s, extra] = item.split(':');
    const dport = port(d ?? '');
    const sport = port(s ?? '');
    if (extra !== undefined || dport === undefined || sport === undefined) {
      throw invalid(`'${raw}' is not a valid value for expose (expecting none or <device-port>:<server-port>[,...], e.g. 80:8080,443:8443).`);
    }
    if (pairs.some(([pd]) => pd === dport)) throw invalid(`device port ${dport} is exposed twice in '${raw}'.`);
    if (pairs.some(([, ps]) => ps === sport)) throw invalid(`server port ${sport} is used twice in '${raw}'.`);
    pairs.push([dport, sport]);
  }
  return pairs;
}

export const BUILTIN_SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'netsetup',
    category: 'walt-net-devices',
    default: 'LAN',
    reboot: true,
    description: 'LAN (walt-net only) or NAT (the device may reach other networks through the server)',
    parse: (raw) => {
      const v = raw.toUpperCase();
      if (v !== 'NAT' && v !== 'LAN') throw invalid("netsetup value should be 'NAT' or 'LAN'.");
      return v;
    },
  },
  {
    name: 'expose',
    category: 'walt-net-devices',
    default: 'none',
    reboot: false,
    description: 'server TCP ports forwarded to device ports: none or <device-port>:<server-port>[,...]',
    parse: (raw) => {
      const pairs = parseExpose(raw);
      return pairs.length ? pairs.map(([d, s]) => `${d}:${s}`).join(',') : 'none';
    },
  },
  {
    name: 'boot.retries',
    category: 'nodes',
    default: 9,
    reboot: false,
    description: 'hard reboots tried when a node does not boot within boot.timeout',
    parse: intAtLeast('boot.retries', 0, 'a number of retries, for instance 9'),
  },
  {
    name: 'boot.timeout',
    category: 'nodes',
    default: 180,
    reboot: false,
    description: 'seconds a node may take to boot before a hard reboot is tried (none: no limit)',
    parse: (raw) => {
      if (raw.toLowerCase() === 'none') return null;
      if (!/^\d+$/.test(raw)) throw invalid(`'${raw}' is not a valid value for boot.timeout (expecting none or a number of seconds of at least 60).`);
      const n = Number(raw);
      if (n < 60) {
        throw invalid(`a boot timeout of ${n}s is probably too small for some OS images: only "none" and values of at least 60 are allowed.`);
      }
      return n;
    },
  },
  { name: 'kexec.allow', category: 'nodes', default: true, reboot: false, description: 'allow fast reboots through kexec', parse: bool('kexec.allow') },
  {
    name: 'mount.persist',
    category: 'nodes',
    default: true,
    reboot: true,
    description: 'mount the per-node persistent directory /persist',
    parse: bool('mount.persist'),
  },
  {
    name: 'lldp.explore',
    category: 'switches',
    default: false,
    reboot: false,
    description: 'explore this switch over SNMP (LLDP topology, forwarding table); needs snmp.version and snmp.community',
    parse: bool('lldp.explore'),
  },
  {
    name: 'poe.reboots',
    category: 'switches',
    default: false,
    reboot: false,
    description: 'allow hard reboots of nodes by switching PoE off and on; needs lldp.explore=true',
    parse: bool('poe.reboots'),
  },
  {
    name: 'snmp.version',
    category: 'switches',
    default: undefined,
    reboot: false,
    description: 'SNMP version of the switch agent: 1 or 2',
    parse: (raw) => {
      if (raw !== '1' && raw !== '2') throw invalid("value of setting 'snmp.version' should be '1' or '2'.");
      return Number(raw);
    },
  },
  {
    name: 'snmp.community',
    category: 'switches',
    default: undefined,
    reboot: false,
    description: 'SNMP community of the switch agent (often public or private)',
    parse: (raw) => {
      if (!raw) throw invalid("setting 'snmp.community' needs a value (e.g. snmp.community=private).");
      return raw;
    },
  },
  {
    name: 'type',
    category: 'unknown',
    default: 'unknown',
    reboot: false,
    description: 'declare an unknown device as a switch (only value: switch)',
    parse: (raw) => {
      if (raw !== 'switch') throw invalid("setting 'type' only allows value 'switch' (and only on unknown devices).");
      return raw;
    },
  },
];

export const BUILTIN_BY_NAME = new Map(BUILTIN_SETTINGS.map((s) => [s.name, s]));

/** How a setting value is printed: null -> none for boot.timeout, unset -> <unspecified>, booleans lowercase. */
export function formatSettingValue(name: string, value: unknown): string {
  if (value === undefined) return '<unspecified>';
  if (value === null) return name === 'boot.timeout' ? 'none' : '<unspecified>';
  return String(value);
}

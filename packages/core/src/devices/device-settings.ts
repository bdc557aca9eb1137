import { invalid } from '../errors.js';

/**
 * The built-in device settings of `walt device config` / `walt node config` (the original's
 * settings.py): which devices each applies to, how a typed value is checked and stored, its default,
 * and whether a reboot is needed to see it in effect.
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

const DISK_TEMPLATES = ['none', 'ext4', 'fat32', 'hybrid-boot-v', 'hybrid-boot-p'];

/** Split "a,b[x,y],c" on the commas outside brackets. */
function splitOutsideBrackets(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function parseDisks(raw: string): string {
  const fail = () =>
    invalid(`'${raw}' is not a valid value for disks (expecting none, or sizes such as 8G or 1T[template=ext4], comma-separated).`);
  if (raw.toLowerCase() === 'none') return 'none';
  for (const disk of splitOutsideBrackets(raw)) {
    const m = /^\d+[GT](?:\[([^\]]*)\])?$/.exec(disk);
    if (!m || /^0+[GT]/.test(disk)) throw fail();
    for (const opt of m[1] === undefined ? [] : m[1].split(',')) {
      const [k, v] = opt.split('=');
      if (k !== 'template' || !DISK_TEMPLATES.includes(v)) {
        throw invalid(`invalid disk option '${opt}' in disks value '${raw}' (only template=${DISK_TEMPLATES.join('|')} is allowed).`);
      }
    }
  }
  return raw;
}

function parseNetworks(raw: string): string {
  const names: string[] = [];
  for (const net of splitOutsideBrackets(raw)) {
    const m = /^([a-z][a-z-]*)(?:\[([^\]]*)\])?$/.exec(net);
    if (!m) {
      throw invalid(`'${raw}' is not a valid value for networks (expecting for instance walt-net or walt-net,my-net[lat=5ms,bw=100Mbps]).`);
    }
    for (const r of m[2] === undefined ? [] : m[2].split(',')) {
      if (!/^lat=\d+(ms|us)$/i.test(r) && !/^bw=\d+(mbps|gbps)$/i.test(r)) {
        throw invalid(`invalid network restriction '${r}' in '${raw}' (expecting lat=<n>ms, lat=<n>us, bw=<n>Mbps or bw=<n>Gbps).`);
      }
    }
    if (names.includes(m[1])) throw invalid(`network '${m[1]}' is listed twice in '${raw}'.`);
    names.push(m[1]);
  }
  if (!names.includes('walt-net')) throw invalid(`networks must include walt-net (got '${raw}').`);
  return raw;
}

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
    name: 'ram',
    category: 'virtual-nodes',
    default: '512M',
    reboot: true,
    description: 'memory of a virtual node, e.g. 512M or 1G',
    parse: (raw) => {
      if (!/^[1-9]\d*[MG]$/.test(raw)) throw invalid(`'${raw}' is not a valid value for ram (expecting for instance 512M or 1G).`);
      return raw;
    },
  },
  {
    name: 'cpu.cores',
    category: 'virtual-nodes',
    default: 4,
    reboot: true,
    description: 'number of CPU cores of a virtual node',
    parse: intAtLeast('cpu.cores', 1, 'a number of cores of at least 1, for instance 4'),
  },
  {
    name: 'disks',
    category: 'virtual-nodes',
    default: 'none',
    reboot: true,
    description: 'disks of a virtual node: none, or sizes like 8G,1T[template=ext4]',
    parse: parseDisks,
  },
  {
    name: 'networks',
    category: 'virtual-nodes',
    default: 'walt-net',
    reboot: true,
    description: 'networks of a virtual node (must include walt-net), with optional [lat=..,bw=..] restrictions',
    parse: parseNetworks,
  },
  {
    name: 'boot.delay',
    category: 'virtual-nodes',
    default: 'random',
    reboot: true,
    description: 'delay before a virtual node boots: random (1 to 10 s) or a number of seconds',
    parse: (raw) => {
      if (raw.toLowerCase() === 'random') return 'random';
      if (!/^\d+$/.test(raw)) throw invalid(`'${raw}' is not a valid value for boot.delay (expecting random or a number of seconds).`);
      return String(Number(raw));
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

import type { NodeSettingsGrammar, SettingValue } from '@walt/sdk';

/**
 * The settings of a virtual node (`walt node config`): their grammar, owned here and contributed with
 * the provider (VirtualNodeProvider.settings), so the host validates `walt node config` through it
 * and knows none by name; and how one VM start reads them.
 */

/** A virtual node's settings as one VM start uses them. */
export interface VmSettings {
  /** qemu -m value, e.g. "512M". */
  ram: string;
  cores: number;
  disks: DiskSpec[];
  /** Networks besides walt-net (which is always there). */
  extraNetworks: NetworkSpec[];
  /** Seconds to wait before the VM starts. */
  bootDelaySeconds: number;
}

export interface DiskSpec {
  /** Size in bytes (G = 10^9, T = 10^12, as the original counts). */
  bytes: number;
  template: DiskTemplate;
}

export interface NetworkSpec {
  name: string;
  /** Latency restriction in microseconds, if any. */
  latencyUs?: number;
  /** Bandwidth restriction in Mbit/s, if any. */
  bandwidthMbps?: number;
}

const DISK_TEMPLATES = ['none', 'ext4', 'fat32', 'hybrid-boot-v', 'hybrid-boot-p'] as const;
type DiskTemplate = (typeof DISK_TEMPLATES)[number];

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

/** `none` or `8G,1T[template=ext4]`. Throws a one-line Error. */
export function parseDisks(raw: string): DiskSpec[] {
  if (raw.toLowerCase() === 'none') return [];
  return splitOutsideBrackets(raw).map((disk) => {
    const m = /^(\d+)([GT])(?:\[([^\]]*)\])?$/.exec(disk);
    if (!m || /^0+[GT]/.test(disk)) {
      throw new Error(`'${raw}' is not a valid value for disks (expecting none, or sizes such as 8G or 1T[template=ext4], comma-separated).`);
    }
    let template: DiskTemplate = 'none';
    for (const opt of m[3] === undefined ? [] : m[3].split(',')) {
      const [k, v] = opt.split('=');
      if (k !== 'template' || !(DISK_TEMPLATES as readonly string[]).includes(v)) {
        throw new Error(`invalid disk option '${opt}' in disks value '${raw}' (only template=${DISK_TEMPLATES.join('|')} is allowed).`);
      }
      template = v as DiskTemplate;
    }
    return { bytes: Number(m[1]) * (m[2] === 'G' ? 1e9 : 1e12), template };
  });
}

/** `walt-net,ext[lat=8ms,bw=100Mbps]` (walt-net required, no network twice). Throws a one-line Error. */
export function parseNetworks(raw: string): NetworkSpec[] {
  const out: NetworkSpec[] = [];
  for (const item of splitOutsideBrackets(raw)) {
    const m = /^([a-z][a-z-]*)(?:\[([^\]]*)\])?$/.exec(item);
    if (!m) throw new Error(`'${raw}' is not a valid value for networks (expecting for instance walt-net or walt-net,my-net[lat=5ms,bw=100Mbps]).`);
    const net: NetworkSpec = { name: m[1] };
    for (const r of m[2] === undefined ? [] : m[2].split(',')) {
      const lat = /^lat=(\d+)(ms|us)$/i.exec(r);
      const bw = /^bw=(\d+)(mbps|gbps)$/i.exec(r);
      if (lat) net.latencyUs = Number(lat[1]) * (lat[2].toLowerCase() === 'ms' ? 1000 : 1);
      else if (bw) net.bandwidthMbps = Number(bw[1]) * (bw[2].toLowerCase() === 'gbps' ? 1000 : 1);
      else throw new Error(`invalid network restriction '${r}' in '${raw}' (expecting lat=<n>ms, lat=<n>us, bw=<n>Mbps or bw=<n>Gbps).`);
    }
    if (out.some((n) => n.name === net.name)) throw new Error(`network '${net.name}' is listed twice in '${raw}'.`);
    out.push(net);
  }
  if (!out.some((n) => n.name === 'walt-net')) throw new Error(`networks must include walt-net (got '${raw}').`);
  return out;
}

/** The grammar of a virtual node's settings: what `walt node config` accepts and stores. */
export const VM_SETTINGS: NodeSettingsGrammar = {
  ram: {
    description: 'memory of a virtual node, e.g. 512M or 1G',
    default: '512M',
    parse: (raw) => {
      if (!/^[1-9]\d*[MG]$/.test(raw)) throw new Error(`'${raw}' is not a valid value for ram (expecting for instance 512M or 1G).`);
      return raw;
    },
  },
  'cpu.cores': {
    description: 'number of CPU cores of a virtual node',
    default: 4,
    parse: (raw) => {
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
        throw new Error(`'${raw}' is not a valid value for cpu.cores (expecting a number of cores of at least 1, for instance 4).`);
      }
      return Number(raw);
    },
  },
  disks: {
    description: 'disks of a virtual node: none, or sizes like 8G,1T[template=ext4]',
    default: 'none',
    parse: (raw) => (parseDisks(raw).length ? raw : 'none'),
  },
  networks: {
    description: 'networks of a virtual node (must include walt-net), with optional [lat=..,bw=..] restrictions',
    default: 'walt-net',
    parse: (raw) => (parseNetworks(raw), raw),
  },
  'boot.delay': {
    description: 'delay before a virtual node boots: random (1 to 10 s) or a number of seconds',
    default: 'random',
    parse: (raw) => {
      if (raw.toLowerCase() === 'random') return 'random';
      if (!/^\d+$/.test(raw)) throw new Error(`'${raw}' is not a valid value for boot.delay (expecting random or a number of seconds).`);
      return String(Number(raw));
    },
  },
};

/** The stored value of a setting parsed again, or its default when missing or no longer valid. */
function stored(conf: Readonly<Record<string, unknown>>, name: keyof typeof VM_SETTINGS & string): SettingValue {
  const setting = VM_SETTINGS[name];
  if (conf[name] === undefined || conf[name] === null) return setting.default;
  try {
    return setting.parse(String(conf[name]));
  } catch {
    return setting.default;
  }
}

/**
 * Read the settings of a node's conf for one VM start. `walt node config` validated them; they are
 * parsed again defensively with the same grammar: a bad stored value falls back to its default rather
 * than stopping the node. `random` draws the boot delay (1 to 10 s) with `random`.
 */
export function vmSettings(conf: Readonly<Record<string, unknown>>, random: () => number = Math.random): VmSettings {
  const delay = String(stored(conf, 'boot.delay'));
  return {
    ram: String(stored(conf, 'ram')),
    cores: Number(stored(conf, 'cpu.cores')),
    disks: parseDisks(String(stored(conf, 'disks'))),
    extraNetworks: parseNetworks(String(stored(conf, 'networks'))).filter((n) => n.name !== 'walt-net'),
    bootDelaySeconds: delay === 'random' ? 1 + Math.floor(random() * 10) : Number(delay),
  };
}

/** A virtual node's settings (`walt node config`), as one VM start uses them. */
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
  template: 'none' | 'ext4' | 'fat32' | 'hybrid-boot-v' | 'hybrid-boot-p';
}

export interface NetworkSpec {
  name: string;
  /** Latency restriction in microseconds, if any. */
  latencyUs?: number;
  /** Bandwidth restriction in Mbit/s, if any. */
  bandwidthMbps?: number;
}

export const VM_DEFAULTS = { ram: '512M', 'cpu.cores': 4, disks: 'none', networks: 'walt-net', 'boot.delay': 'random' } as const;

const TEMPLATES = ['none', 'ext4', 'fat32', 'hybrid-boot-v', 'hybrid-boot-p'] as const;

/**
 * Read the settings of a node's conf (validated by `walt node config`; parsed again here defensively:
 * a bad stored value falls back to its default rather than stopping the node). `random` draws the
 * boot delay (1 to 10 s) with `random`.
 */
export function vmSettings(conf: Readonly<Record<string, unknown>>, random: () => number = Math.random): VmSettings {
  const ram = typeof conf.ram === 'string' && /^[1-9]\d*[MG]$/.test(conf.ram) ? conf.ram : VM_DEFAULTS.ram;
  const coresRaw = Number(conf['cpu.cores'] ?? VM_DEFAULTS['cpu.cores']);
  const cores = Number.isSafeInteger(coresRaw) && coresRaw >= 1 ? coresRaw : VM_DEFAULTS['cpu.cores'];
  let disks: DiskSpec[] = [];
  try {
    disks = parseDisks(String(conf.disks ?? VM_DEFAULTS.disks));
  } catch {
    disks = [];
  }
  let extraNetworks: NetworkSpec[] = [];
  try {
    extraNetworks = parseNetworks(String(conf.networks ?? VM_DEFAULTS.networks)).filter((n) => n.name !== 'walt-net');
  } catch {
    extraNetworks = [];
  }
  const delay = String(conf['boot.delay'] ?? VM_DEFAULTS['boot.delay']);
  const bootDelaySeconds = /^\d+$/.test(delay) ? Number(delay) : 1 + Math.floor(random() * 10);
  return { ram, cores, disks, extraNetworks, bootDelaySeconds };
}

/** `none` or `8G,1T[template=ext4]`. Throws a one-line Error. */
export function parseDisks(value: string): DiskSpec[] {
  if (value === 'none') return [];
  return value.split(',').map((item) => {
    const m = /^(\d+)([GT])(?:\[template=([a-z0-9-]+)\])?$/.exec(item);
    if (!m) throw new Error(`invalid disk '${item}' (expecting for instance 8G or 1T[template=ext4])`);
    const template = (m[3] ?? 'none') as DiskSpec['template'];
    if (!TEMPLATES.includes(template)) throw new Error(`unknown disk template '${m[3]}' (one of ${TEMPLATES.join(', ')})`);
    return { bytes: Number(m[1]) * (m[2] === 'G' ? 1e9 : 1e12), template };
  });
}

/** `walt-net,ext[lat=8ms,bw=100Mbps]`. Throws a one-line Error. */
export function parseNetworks(value: string): NetworkSpec[] {
  const out: NetworkSpec[] = [];
  for (const item of value.match(/[^,[]+(\[[^\]]*\])?/g) ?? []) {
    const m = /^([a-z][a-z-]*)(?:\[([^\]]*)\])?$/.exec(item);
    if (!m) throw new Error(`invalid network '${item}'`);
    const net: NetworkSpec = { name: m[1] };
    for (const r of m[2] ? m[2].split(',') : []) {
      const lat = /^lat=(\d+)(ms|us)$/i.exec(r);
      const bw = /^bw=(\d+)(mbps|gbps)$/i.exec(r);
      if (lat) net.latencyUs = Number(lat[1]) * (lat[2].toLowerCase() === 'ms' ? 1000 : 1);
      else if (bw) net.bandwidthMbps = Number(bw[1]) * (bw[2].toLowerCase() === 'gbps' ? 1000 : 1);
      else throw new Error(`invalid restriction '${r}' on network ${m[1]} (lat=<n>ms|us, bw=<n>Mbps|Gbps)`);
    }
    if (out.some((n) => n.name === net.name)) throw new Error(`network ${net.name} is listed twice`);
    out.push(net);
  }
  if (!out.some((n) => n.name === 'walt-net')) throw new Error('networks must include walt-net');
  return out;
}

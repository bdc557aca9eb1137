/**
 * How WalT correlates interface ports (LLDP local ports, treated as ifIndexes) with POWER-ETHERNET-MIB
 * indexes (group.port), which the MIB does not link. The rules are the original WalT's, in order:
 * 1. ports with a speed of 10M, 100M or 1G, zipped with the PoE indexes when there are as many;
 * 2. else ethernetCsmacd(6) interfaces, when contiguous (PoE ports come first, as on Netgear switches);
 * 3. else, when every PoE group has the same size G, runs of G contiguous ports, one per group, in order.
 */
export interface PoeMappingInput {
  /** ifSpeed per ifIndex, in walk order. */
  ifSpeed: ReadonlyMap<number, number>;
  /** ifType per ifIndex, in walk order. */
  ifType: ReadonlyMap<number, number>;
  /** PoE indexes ("group.port") in walk order. */
  poeIndexes: readonly string[];
  /** For the error message. */
  host: string;
}

const ETHERNET_SPEEDS = new Set([1e7, 1e8, 1e9]);
const ETHERNET_CSMACD = 6;

export function mapPoePorts(input: PoeMappingInput): Record<string, string> {
  const p = input.poeIndexes;
  const zip = (ports: readonly number[], indexes: readonly string[]) => Object.fromEntries(ports.map((port, i) => [String(port), indexes[i]]));
  const a = [...input.ifSpeed].filter(([, speed]) => ETHERNET_SPEEDS.has(speed)).map(([idx]) => idx);
  if (a.length === p.length) return zip(a, p);

  const t = [...input.ifType].filter(([, type]) => type === ETHERNET_CSMACD).map(([idx]) => idx);
  if (t.length >= p.length && t.length > 0 && isContiguous(t)) return zip(t.slice(0, p.length), p);

  const groups = new Map<string, string[]>();
  for (const index of p) {
    const group = index.split('.')[0];
    groups.set(group, [...(groups.get(group) ?? []), index]);
  }
  const sizes = new Set([...groups.values()].map((g) => g.length));
  if (sizes.size === 1 && a.length) {
    const size = [...sizes][0];
    const runs = splitAtGaps(a).filter((run) => run.length >= size);
    const out: Record<string, string> = {};
    let r = 0;
    for (const indexes of groups.values()) {
      const run = runs[r++];
      if (!run) break;
      Object.assign(out, zip(run.slice(0, size), indexes));
    }
    if (r === groups.size && Object.keys(out).length === p.length) return out;
  }
  throw new Error(`WalT could not guess how to correlate PoE ports and LLDP ports on switch ${input.host}. Sorry.`);
}

function isContiguous(sorted: readonly number[]): boolean {
  for (let i = 1; i < sorted.length; i++) if (sorted[i] - sorted[i - 1] > 1) return false;
  return true;
}

function splitAtGaps(ports: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const port of ports) {
    const last = runs[runs.length - 1];
    if (last && port - last[last.length - 1] === 1) last.push(port);
    else runs.push([port]);
  }
  return runs;
}

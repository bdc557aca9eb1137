import type { LinkTopology } from './link-topology.js';

/** `walt device tree`, in the original's exact format (tree.py + topology.py printed_tree). */
export interface TreeDevice {
  name: string;
  type: string;
}

export interface TreeInput {
  topology: LinkTopology;
  devices: ReadonlyMap<string, TreeDevice>;
  rootMac: string;
  /** Switches WalT may not explore (lldp.explore false). */
  forbidden: ReadonlySet<string>;
  /** Port names per switch mac. */
  portNames: ReadonlyMap<string, ReadonlyMap<number, string>>;
  showAll: boolean;
  /** Seconds since the last scan, or null. */
  scanAgeSeconds: number | null;
  unicode: boolean;
}

const UNICODE = { v: '\u2502', vr: '\u251c', h: '\u2500', ur: '\u2514', s: ' ' };
const ASCII = { v: '|', vr: '|', h: '-', ur: '|', s: ' ' };

export const MSG_UNKNOWN_TOPOLOGY =
  'Sorry, topology is unknown. Ensure a switch is connected to server (on walt-net interface) and run "walt device rescan".';

/** "1 minute and 5 seconds": two units at most, as the original. */
export function humanReadableDelay(seconds: number): string {
  let s = Math.max(1, Math.floor(seconds));
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  const items: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n) items.push(`${n} ${name}${n > 1 ? 's' : ''}`);
  }
  return items.slice(0, 2).join(' and ');
}

function explanation(kind: string, items: readonly string[]): string {
  if (!items.length) return '';
  if (items.length === 1) return `${kind}: ${items[0]}.\n`;
  return `${kind}s:` + items.map((i) => `\n- ${i}`).join('') + '\n';
}

interface TreeNode {
  key: string;
  label: string;
  children: Array<{ pos: number | null; key: string }>;
  prune: string | null;
}

export function renderTree(input: TreeInput): string {
  const cs = input.unicode ? UNICODE : ASCII;
  const { topology, devices } = input;
  const nodes = new Map<string, TreeNode>();
  const confirmedMacs = new Set<string>();
  const allMacs = new Set<string>();
  for (const [m1, m2, info] of topology.entries()) {
    allMacs.add(m1).add(m2);
    if (info.confirmed) confirmedMacs.add(m1).add(m2);
  }
  const typeOf = (mac: string) => devices.get(mac)?.type ?? 'unknown';
  for (const mac of allMacs) {
    let label = devices.get(mac)?.name ?? mac;
    if (typeOf(mac) === 'switch') label = `-- ${label} --`;
    else if (typeOf(mac) === 'unknown') label = `<? ${label} ?>`;
    if (!confirmedMacs.has(mac)) label = `(${label})`;
    nodes.set(mac, { key: mac, label, children: [], prune: null });
  }
  for (const [m1, m2, info] of topology.entries()) {
    for (const [child, parent, parentPort] of [
      [m1, m2, info.port2],
      [m2, m1, info.port1],
    ] as const) {
      if (typeOf(parent) === 'switch' && (input.showAll || typeOf(child) !== 'unknown')) {
        nodes.get(parent)!.children.push({ pos: parentPort, key: child });
      }
    }
  }
  for (const n of nodes.values()) {
    n.children.sort((a, b) => (a.pos ?? -1) - (b.pos ?? -1) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  if (!input.showAll) {
    const seen = new Set<string>();
    const count = (mac: string): number => {
      seen.add(mac);
      const node = nodes.get(mac)!;
      const c = typeOf(mac) === 'node' ? 1 : node.children.filter((ch) => !seen.has(ch.key)).reduce((sum, ch) => sum + count(ch.key), 0);
      if (typeOf(mac) === 'switch' && c === 0) {
        node.prune = input.forbidden.has(mac) ? '[...] ~> forbidden (cf. walt device config)' : '[...] ~> no nodes there';
      }
      return c;
    };
    count(input.rootMac);
  }
  const portLabel = (parent: string, pos: number) => input.portNames.get(parent)?.get(pos) ?? String(pos);
  const seen = new Set<string>();
  const root = nodes.get(input.rootMac)!;
  const print = (node: TreeNode, parent: string | null, pos: number | null, prefix: string, last: boolean, isRoot: boolean): string => {
    if (seen.has(node.key) && pos === null) return '';
    let out: string;
    if (isRoot) {
      out = `${node.label}\n`;
      prefix += cs.s;
    } else {
      let label = node.label;
      if (seen.has(node.key)) label = `~> back to ${label}`;
      let offset: number;
      if (pos === null) {
        label = `?: ${label}`;
        offset = 3;
      } else {
        const p = portLabel(parent!, pos);
        label = `${p}: ${label}`;
        offset = p.length + 2;
      }
      out = `${prefix}${last ? cs.ur : cs.vr}${cs.h}${label}\n`;
      prefix += (last ? cs.s : cs.v) + cs.s.repeat(offset + 1);
    }
    if (!seen.has(node.key)) {
      seen.add(node.key);
      if (node.prune === null) {
        node.children.forEach((ch, i) => {
          out += print(nodes.get(ch.key)!, node.key, ch.pos, prefix, i === node.children.length - 1, false);
        });
      } else out += `${prefix}${cs.ur}${cs.h}${node.prune}\n`;
    }
    return out;
  };
  const notes = [
    input.scanAgeSeconds === null
      ? "this view comes from last network scan (use 'walt device rescan' to update)"
      : `this view comes from last network scan, issued ${humanReadableDelay(input.scanAgeSeconds)} ago (use 'walt device rescan' to update)`,
  ];
  if ([...allMacs].some((m) => !confirmedMacs.has(m))) notes.push('devices marked with parentheses were not detected at last scan');
  const tipsMin = [
    "use 'walt device show' for device details",
    "use 'walt device config ...' (see walt help show device-config) to let WalT explore forbidden switches",
    "use 'walt device rescan' to update",
  ];
  let tips: string[];
  if (input.showAll) {
    tips = ["use 'walt device config <device> type=switch' to let WalT know a given device is a switch", ...tipsMin];
    notes.push('type of devices marked with <? ... ?> is unknown');
  } else tips = ["use 'walt device tree --all' to see all devices detected", ...tipsMin];
  const footer = explanation('note', notes) + '\n' + explanation('tip', tips);
  return `\n${print(root, null, null, '', false, true)}\n${footer}`;
}

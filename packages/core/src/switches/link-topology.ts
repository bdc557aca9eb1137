/**
 * The link-layer topology and how scans update it (the original WalT's algorithm): LLDP links are
 * confirmed; forwarding tables give candidates, reduced to links where one candidate is left; LLDP
 * wins over bridge data, new data over stored data; a node has one link; loops are broken.
 */
export interface LinkInfo {
  port1: number | null;
  port2: number | null;
  confirmed: boolean;
}

const key = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
const macsOf = (k: string) => k.split('|') as [string, string];

export class LinkTopology {
  readonly links = new Map<string, LinkInfo>();

  /** `localMac` sees `neighborMac` on `localPort`. */
  registerNeighbor(localMac: string, localPort: number | null, neighborMac: string): void {
    if (localMac === neighborMac) return;
    const k = key(localMac, neighborMac);
    const first = localMac < neighborMac;
    const link = this.links.get(k);
    if (!link) {
      this.links.set(k, { port1: first ? localPort : null, port2: first ? null : localPort, confirmed: true });
    } else if (first) link.port1 = localPort;
    else link.port2 = localPort;
  }

  set(mac1: string, mac2: string, info: LinkInfo): void {
    const swap = mac1 > mac2;
    this.links.set(key(mac1, mac2), swap ? { port1: info.port2, port2: info.port1, confirmed: info.confirmed } : { ...info });
  }

  *entries(): Generator<[string, string, LinkInfo]> {
    for (const [k, info] of this.links) {
      const [m1, m2] = macsOf(k);
      yield [m1, m2, info];
    }
  }

  setConfirmAll(value: boolean): void {
    for (const info of this.links.values()) info.confirmed = value;
  }

  /** Links touching the scanned devices are no longer confirmed (until this scan sees them again). */
  unconfirm(macs: ReadonlySet<string>): void {
    for (const [m1, m2, info] of this.entries()) if (macs.has(m1) || macs.has(m2)) info.confirmed = false;
  }

  /** Union with `other`; on a common link the confirmed side's ports win, unknown ports are filled in. */
  mergeOther(other: LinkTopology): void {
    for (const [k, theirs] of other.links) {
      const mine = this.links.get(k);
      if (!mine) {
        this.links.set(k, { ...theirs });
        continue;
      }
      const [c, u] = mine.confirmed >= theirs.confirmed ? [mine, theirs] : [theirs, mine];
      this.links.set(k, { port1: c.port1 ?? u.port1, port2: c.port2 ?? u.port2, confirmed: true });
    }
    // Two links at the same (device, port): keep the confirmed one.
    const at = new Map<string, string>();
    for (const [m1, m2, info] of [...this.entries()]) {
      for (const [mac, port] of [
        [m1, info.port1],
        [m2, info.port2],
      ] as const) {
        if (port === null || !this.links.has(key(m1, m2))) continue;
        const loc = `${mac}#${port}`;
        const previous = at.get(loc);
        if (previous === undefined) at.set(loc, key(m1, m2));
        else if (info.confirmed) {
          this.links.delete(previous);
          at.set(loc, key(m1, m2));
        } else this.links.delete(key(m1, m2));
      }
    }
  }

  /** A node has at most one link; loops are broken (confirmed links first, unconfirmed ones dropped). */
  cleanup(nodeMacs: ReadonlySet<string>, lastSeen: ReadonlyMap<string, number> = new Map()): void {
    const nodeLink = new Map<string, string>();
    // Newest first, so a moved node keeps its latest position.
    const ordered = [...this.links.keys()].sort((a, b) => (lastSeen.get(b) ?? 0) - (lastSeen.get(a) ?? 0));
    for (const k of ordered) {
      const info = this.links.get(k)!;
      const [m1, m2] = macsOf(k);
      const n1 = nodeMacs.has(m1);
      const n2 = nodeMacs.has(m2);
      if (n1 && n2) {
        this.links.delete(k);
        continue;
      }
      const node = n1 ? m1 : n2 ? m2 : undefined;
      if (!node) continue;
      const previous = nodeLink.get(node);
      if (previous === undefined) nodeLink.set(node, k);
      else if (info.confirmed && !this.links.get(previous)!.confirmed) {
        this.links.delete(previous);
        nodeLink.set(node, k);
      } else this.links.delete(k);
    }
    // Loops: union-find over confirmed links, then unconfirmed links only where they join two groups.
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const union = (a: string, b: string) => parent.set(find(a), find(b));
    const confirmedKeys = [...this.links.keys()].filter((k) => this.links.get(k)!.confirmed);
    confirmedKeys.sort((a, b) => (lastSeen.get(b) ?? 0) - (lastSeen.get(a) ?? 0));
    for (const k of confirmedKeys) {
      const [m1, m2] = macsOf(k);
      if (find(m1) === find(m2)) this.links.delete(k); // a loop of confirmed links: drop the oldest
      else union(m1, m2);
    }
    for (const k of [...this.links.keys()].filter((k) => !this.links.get(k)!.confirmed)) {
      const [m1, m2] = macsOf(k);
      if (find(m1) === find(m2)) this.links.delete(k);
      else union(m1, m2);
    }
  }

  /** Neighbours of a device: [its port, neighbour mac, neighbour's port, confirmed]. */
  neighbors(mac: string): Array<{ port: number | null; mac: string; peerPort: number | null; confirmed: boolean }> {
    const out = [];
    for (const [m1, m2, info] of this.entries()) {
      if (m1 === mac) out.push({ port: info.port1, mac: m2, peerPort: info.port2, confirmed: info.confirmed });
      else if (m2 === mac) out.push({ port: info.port2, mac: m1, peerPort: info.port1, confirmed: info.confirmed });
    }
    return out;
  }
}

/**
 * Forwarding tables, reduced to links. A port lists every MAC learned behind it; backbone devices
 * (switches, the server) seen on several switches are disambiguated: if D is on port a of A and on
 * port b of B, and B itself is on a port of A other than a, A is closer to D, so D is dropped from B's
 * port b... until nothing changes. Only ports with a single candidate left become links.
 */
export class BridgeTopology {
  private readonly secondaryToMain = new Map<string, string>();
  private readonly candidates = new Map<string, Set<string>>(); // "mac#port" -> macs

  registerSecondaryMacs(switchMac: string, macs: readonly string[]): void {
    for (const m of macs) if (m !== switchMac) this.secondaryToMain.set(m, switchMac);
  }

  registerNeighbor(switchMac: string, port: number, mac: string): void {
    const k = `${switchMac}#${port}`;
    let set = this.candidates.get(k);
    if (!set) this.candidates.set(k, (set = new Set()));
    set.add(mac);
  }

  /** LLDP links help: the server only answers LLDP, so its position comes from there. */
  addConfirmed(lldp: LinkTopology): void {
    for (const [m1, m2, info] of lldp.entries()) {
      if (!info.confirmed) continue;
      if (info.port1 !== null) this.registerNeighbor(m1, info.port1, m2);
      if (info.port2 !== null) this.registerNeighbor(m2, info.port2, m1);
    }
  }

  deduce(types: ReadonlyMap<string, string>): LinkTopology {
    type PortMap = Map<string, Map<number, Set<string>>>;
    const backbone: PortMap = new Map();
    const edge: PortMap = new Map();
    const put = (m: PortMap, sw: string, port: number, macs: Set<string>) => {
      if (!m.has(sw)) m.set(sw, new Map());
      m.get(sw)!.set(port, macs);
    };
    for (const [k, macs] of this.candidates) {
      const [sw, portText] = k.split('#');
      const port = Number(portText);
      const known = new Set([...macs].map((m) => this.secondaryToMain.get(m) ?? m).filter((m) => types.has(m) && m !== sw));
      const bb = new Set([...known].filter((m) => types.get(m) === 'switch' || types.get(m) === 'server'));
      const ed = new Set([...known].filter((m) => !bb.has(m)));
      if (bb.size) put(backbone, sw, port, bb);
      if (ed.size) put(edge, sw, port, ed);
    }
    for (let guard = 0; guard < 1000; guard++) {
      let changed = false;
      const portsOf = new Map<string, Array<[string, number]>>();
      for (const [sw, ports] of backbone) for (const [port, macs] of ports) for (const m of macs) portsOf.set(m, [...(portsOf.get(m) ?? []), [sw, port]]);
      for (const [d, places] of portsOf) {
        for (const [a, pa] of places) {
          for (const [b, pb] of places) {
            if (a === b) continue;
            const bOnA = (portsOf.get(b) ?? []).find(([sw]) => sw === a);
            if (bOnA && bOnA[1] !== pa) {
              const set = backbone.get(b)?.get(pb);
              if (set?.delete(d)) changed = true;
            }
          }
        }
      }
      if (changed) continue;
      // A has a single candidate B on port a: then on B, the port where A appears holds A only.
      outer: for (const [a, ports] of backbone) {
        for (const macs of ports.values()) {
          if (macs.size !== 1) continue;
          const b = [...macs][0];
          for (const [pb, bm] of backbone.get(b) ?? []) {
            if (bm.has(a)) {
              if (bm.size !== 1) {
                backbone.get(b)!.set(pb, new Set([a]));
                changed = true;
                break outer;
              }
              break;
            }
          }
        }
      }
      if (!changed) break;
    }
    const out = new LinkTopology();
    // Edge devices learned on a backbone port (behind another switch) are not neighbours there.
    for (const [sw, ports] of edge) {
      for (const [port, macs] of ports) if (macs.size === 1 && !backbone.get(sw)?.get(port)?.size) out.registerNeighbor(sw, port, [...macs][0]);
    }
    for (const [sw, ports] of backbone) for (const [port, macs] of ports) if (macs.size === 1) out.registerNeighbor(sw, port, [...macs][0]);
    return out;
  }
}

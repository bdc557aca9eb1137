import { execFileSync } from 'node:child_process';

/** What the interface set-up needs to know about one link. */
export interface LinkState {
  name: string;
  kind?: string;
  /** The bridge this link is a port of, if any. */
  master?: string;
  up: boolean;
  /** IPv4 addresses with their prefix ("192.168.152.1/24"). */
  addresses: string[];
  altnames: string[];
}

/**
 * The few link operations the interface set-up performs. Behind this interface so the planning
 * logic does not depend on how links are changed (iproute2 today, netlink possibly later).
 */
export interface LinkTool {
  list(): LinkState[];
  addBridge(name: string, mac?: string): void;
  addVlan(raw: string, name: string, id: number): void;
  /** A link that only gives a bridge its carrier (a dummy, or a veth pair where there is no dummy driver). */
  addDummy(name: string): void;
  setMaster(name: string, bridge: string): void;
  addAddress(name: string, cidr: string): void;
  setUp(name: string): void;
  addAltName(name: string, altname: string): void;
}

/** A failed link operation: `command` is the exact `ip` command line that failed. */
export class LinkCommandError extends Error {
  constructor(
    readonly command: string,
    reason: string,
  ) {
    super(reason);
  }
}

interface IpLinkJson {
  ifname: string;
  flags?: string[];
  master?: string;
  linkinfo?: { info_kind?: string };
  altnames?: string[];
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/** LinkTool on the `ip` command of iproute2 (JSON output for reading). */
export class IpCommandLinkTool implements LinkTool {
  list(): LinkState[] {
    const links = JSON.parse(this.run(['-j', '-d', 'addr', 'show']) || '[]') as IpLinkJson[];
    return links.map((l) => ({
      name: l.ifname,
      kind: l.linkinfo?.info_kind,
      master: l.master,
      up: !!l.flags?.includes('UP'),
      addresses: (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
      altnames: l.altnames ?? [],
    }));
  }

  addBridge(name: string, mac?: string): void {
    this.run(['link', 'add', 'name', name, ...(mac ? ['address', mac] : []), 'type', 'bridge']);
  }

  addVlan(raw: string, name: string, id: number): void {
    this.run(['link', 'add', 'link', raw, 'name', name, 'type', 'vlan', 'id', String(id)]);
  }

  addDummy(name: string): void {
    try {
      this.run(['link', 'add', 'name', name, 'type', 'dummy']);
    } catch (e) {
      // Kernels built without the dummy driver: a veth pair whose peer is up carries a link just as well.
      if (!/unknown device type/i.test((e as Error).message)) throw e;
      const peer = `${name.slice(0, 10)}-peer`;
      this.run(['link', 'add', 'name', name, 'type', 'veth', 'peer', 'name', peer]);
      this.run(['link', 'set', 'dev', peer, 'up']);
    }
  }

  setMaster(name: string, bridge: string): void {
    this.run(['link', 'set', 'dev', name, 'master', bridge]);
  }

  addAddress(name: string, cidr: string): void {
    this.run(['addr', 'add', cidr, 'dev', name]);
  }

  setUp(name: string): void {
    this.run(['link', 'set', 'dev', name, 'up']);
  }

  addAltName(name: string, altname: string): void {
    this.run(['link', 'property', 'add', 'dev', name, 'altname', altname]);
  }

  private run(args: string[]): string {
    try {
      return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    } catch (e) {
      const err = e as { stderr?: string; code?: string; message: string };
      const reason = err.code === 'ENOENT' ? 'the ip command (iproute2) is not installed' : (String(err.stderr ?? '').trim() || err.message).replace(/\s*\n\s*/g, '; ');
      throw new LinkCommandError(`ip ${args.join(' ')}`, reason);
    }
  }
}

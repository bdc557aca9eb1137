import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** Run `ip ...`, throwing with stderr on failure. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Run a command inside a namespace to completion. */
export function inNetns(ns: string, cmd: string, args: string[], timeoutMs = 30_000): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Start a long-running command inside a namespace. */
export function spawnInNetns(ns: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface TestNetwork {
  /** Namespace of the server, holding the walt-net side (a bridge `wnet` when several clients). */
  serverNs: string;
  /** Interface name of walt-net in the server namespace. */
  serverIf: string;
  serverIp: string;
  prefix: number;
  /** Add a client namespace linked to walt-net, with the given MAC; returns its namespace and interface. */
  addClient(mac: string): { ns: string; ifname: string };
  /** Add a tap interface on the walt-net bridge (for qemu), returns its name. */
  addTap(): string;
  /** Delete every namespace and link this network created. */
  destroy(): void;
}

/**
 * A walt-net made of network namespaces: a server namespace with a bridge (the walt-net interface,
 * holding the server address) and one namespace per simulated node, each linked by a veth pair.
 * Names are prefixed with a short unique tag so parallel tests never collide; destroy() removes all.
 */
export function createTestNetwork(options: { tag: string; subnet?: string; prefix?: number }): TestNetwork {
  // WALT_TEST_NETNS_PREFIX (one character) lets several checkouts run the same tests at once.
  const tag = (process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1) + options.tag.slice(0, 6);
  const subnet = options.subnet ?? '192.168.152';
  const prefix = options.prefix ?? 24;
  const serverNs = `w${tag}-srv`;
  const serverIf = `w${tag}br`;
  const serverIp = `${subnet}.1`;
  const clients: string[] = [];
  let taps = 0;
  try {
    execFileSync('ip', ['netns', 'del', serverNs], { stdio: 'ignore' });
  } catch {
    /* not there */
  }
  ip('netns', 'add', serverNs);
  ip('-n', serverNs, 'link', 'set', 'lo', 'up');
  ip('-n', serverNs, 'link', 'add', serverIf, 'type', 'bridge');
  ip('-n', serverNs, 'addr', 'add', `${serverIp}/${prefix}`, 'dev', serverIf);
  ip('-n', serverNs, 'link', 'set', serverIf, 'up');
  // Clients without an address broadcast to 255.255.255.255; replies to it need a route.
  ip('-n', serverNs, 'route', 'add', '255.255.255.255/32', 'dev', serverIf);
  return {
    serverNs,
    serverIf,
    serverIp,
    prefix,
    addClient(mac: string) {
      const n = clients.length;
      const ns = `w${tag}-c${n}`;
      const outer = `w${tag}v${n}`;
      const ifname = 'eth0';
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        /* not there */
      }
      ip('netns', 'add', ns);
      clients.push(ns);
      ip('link', 'add', outer, 'netns', serverNs, 'type', 'veth', 'peer', 'name', ifname, 'netns', ns);
      ip('-n', serverNs, 'link', 'set', outer, 'master', serverIf);
      ip('-n', serverNs, 'link', 'set', outer, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', ifname, 'address', mac);
      ip('-n', ns, 'link', 'set', ifname, 'up');
      return { ns, ifname };
    },
    addTap() {
      const name = `w${tag}t${taps++}`;
      ip('-n', serverNs, 'tuntap', 'add', 'dev', name, 'mode', 'tap');
      ip('-n', serverNs, 'link', 'set', name, 'master', serverIf);
      ip('-n', serverNs, 'link', 'set', name, 'up');
      return name;
    },
    destroy() {
      for (const ns of [...clients, serverNs]) {
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
        } catch {
          /* already gone */
        }
      }
    },
  };
}

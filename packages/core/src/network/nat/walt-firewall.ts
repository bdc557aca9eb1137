import { execFile } from 'node:child_process';
import { isNatNetsetup } from './netsetup.js';

/** Runs one iptables command; resolves with its exit code and stderr (never rejects). */
export type IptablesRunner = (args: readonly string[]) => Promise<{ code: number; stderr: string }>;

/** iptables on this host, or behind a prefix such as `ip netns exec <ns>` (tests). */
export function iptablesRunner(prefix: readonly string[] = []): IptablesRunner {
  const [cmd, ...pre] = prefix.length ? [...prefix, 'iptables'] : ['iptables'];
  return (args) =>
    new Promise((resolve) => {
      execFile(cmd, [...pre, '-w', '5', ...args], { timeout: 15_000 }, (error, _stdout, stderr) => {
        const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : 1) : 0;
        resolve({ code, stderr: String(stderr || (error?.message ?? '')).trim() });
      });
    });
}

/** A device as the firewall needs it. */
export interface NetsetupDevice {
  ip: string | null;
  conf: Readonly<Record<string, unknown>>;
}

export interface WaltFirewallOptions {
  /** Name of the walt-net interface (the bridge holding the server address). */
  waltNetIf: string;
  /** walt-net as network/prefix, e.g. 192.168.152.0/24. */
  subnet: string;
}

/**
 * The server's firewall (reference §9.3): walt-net devices are isolated (LAN) unless their netsetup
 * is NAT, in which case the chain WALT accepts their traffic to other networks and it is masqueraded.
 * Also drops DHCP requests that reach the server from any interface but walt-net (node's dgram
 * cannot bind a socket to one interface; see docs/decisions/0002-dhcp-codec.md).
 * Rules are added idempotently (checked with -C first), so a restart after a crash adds no duplicates.
 */
export class WaltFirewall {
  private queue: Promise<unknown> = Promise.resolve();
  private active = false;

  constructor(
    private readonly run: IptablesRunner,
    private readonly options: WaltFirewallOptions,
    private readonly log: (line: string, error?: boolean) => void,
  ) {}

  private baseRules(): Array<{ table?: string; chain: string; rule: string[] }> {
    const { waltNetIf: wn, subnet } = this.options;
    return [
      { chain: 'FORWARD', rule: ['--in-interface', wn, '--out-interface', wn, '--jump', 'ACCEPT'] },
      { chain: 'FORWARD', rule: ['--source', subnet, '!', '--destination', subnet, '--jump', 'WALT'] },
      { chain: 'FORWARD', rule: ['--destination', subnet, '--match', 'state', '--state', 'RELATED,ESTABLISHED', '--jump', 'ACCEPT'] },
      {
        table: 'nat',
        chain: 'POSTROUTING',
        rule: ['--source', subnet, '!', '--destination', subnet, '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '--jump', 'MASQUERADE'],
      },
      { chain: 'INPUT', rule: ['-p', 'udp', '--dport', '67', '!', '--in-interface', wn, '--jump', 'DROP'] },
    ];
  }

  /** Install the chain and the base rules, then one rule per NAT device. False when iptables failed. */
  prepare(devices: Iterable<NetsetupDevice>): Promise<boolean> {
    const list = [...devices];
    return this.serial(async () => {
      const created = await this.run(['--new-chain', 'WALT']); // exists already after a crash: fine
      if (/\bENOENT\b/.test(created.stderr)) return false; // iptables is not installed: the caller says so, once
      if (!(await this.must(['--flush', 'WALT']))) return false;
      if (!(await this.must(['--append', 'WALT', '--jump', 'DROP']))) return false;
      for (const r of this.baseRules()) {
        const t = r.table ? ['--table', r.table] : [];
        if ((await this.run([...t, '--check', r.chain, ...r.rule])).code !== 0) {
          if (!(await this.must([...t, '--append', r.chain, ...r.rule]))) return false;
        }
      }
      this.active = true;
      for (const d of list) if (d.ip && isNatNetsetup(d.conf)) await this.must(['--insert', 'WALT', '--source', d.ip, '--jump', 'ACCEPT']);
      return true;
    });
  }

  /**
   * Bring a device's NAT rule in line with its netsetup (call it when netsetup or the IP changes;
   * the device needs a reboot to get or lose its router option). Removes any rule of `previousIp`.
   */
  applyNetsetup(device: NetsetupDevice, previousIp?: string | null): Promise<void> {
    return this.serial(async () => {
      if (!this.active) return;
      for (const ip of new Set([previousIp, device.ip])) {
        if (!ip) continue;
        // Delete every copy, then insert once if NAT.
        for (let i = 0; i < 8 && (await this.run(['--delete', 'WALT', '--source', ip, '--jump', 'ACCEPT'])).code === 0; i++);
      }
      if (device.ip && isNatNetsetup(device.conf)) await this.must(['--insert', 'WALT', '--source', device.ip, '--jump', 'ACCEPT']);
    });
  }

  /** Remove what prepare installed (at server stop). */
  teardown(): Promise<void> {
    return this.serial(async () => {
      if (!this.active) return;
      this.active = false;
      for (const r of this.baseRules()) {
        const t = r.table ? ['--table', r.table] : [];
        await this.run([...t, '--delete', r.chain, ...r.rule]);
      }
      await this.run(['--flush', 'WALT']);
      await this.run(['--delete-chain', 'WALT']);
    });
  }

  private async must(args: string[]): Promise<boolean> {
    const r = await this.run(args);
    if (r.code !== 0) this.log(`iptables ${args.join(' ')} failed: ${r.stderr || `exit ${r.code}`}`, true);
    return r.code === 0;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

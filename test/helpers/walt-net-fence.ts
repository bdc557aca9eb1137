import { execFileSync } from 'node:child_process';

/**
 * Vitest global set-up: servers started by tests on the host (not in a namespace) have walt-net on the
 * embedded default 192.168.152.0/24 without any interface holding it (WALT_SKIP_NETWORK_SETUP), and
 * the nodes and switches they register there are contacted (reboot requests, SNMP probes). Without a
 * route of their own those packets would follow the host's default route off this machine. An
 * `unreachable` route, with a metric high enough that a real walt-net bridge still wins, makes them fail
 * at once on the host instead. Only as root (routes need it); removed at the end of the run.
 */
const FENCE = ['192.168.152.0/24', 'metric', '4242'];

function ipRoute(...args: string[]): boolean {
  try {
    execFileSync('ip', ['route', ...args], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether the host has a link named walt-net (the server's own bridge). */
const hostHasWaltNet = (): boolean => ipLink('show', 'walt-net');

function ipLink(...args: string[]): boolean {
  try {
    execFileSync('ip', ['link', ...args], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function setup(): () => void {
  if (process.getuid?.() !== 0) return () => undefined;
  const added = ipRoute('add', 'unreachable', ...FENCE);
  const hadWaltNet = hostHasWaltNet();
  return () => {
    if (added) ipRoute('del', 'unreachable', ...FENCE);
    // A server run on the host without WALT_SKIP_NETWORK_SETUP makes the host's walt-net bridge, and
    // every later host-side server would then serve DHCP on it: say so and take it away.
    if (!hadWaltNet && hostHasWaltNet()) {
      console.error('walt-net-fence: a test created the walt-net bridge on the host; removed');
      ipLink('del', 'walt-net-dummy');
      ipLink('del', 'walt-net');
    }
  };
}

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { interfaceHolding } from '../network/dhcp/walt-net-interface.js';

/** The walt-net bridge (the interface holding the server's walt-net address, if it is a bridge). */
export function waltNetBridge(serverIp: string): string | undefined {
  const name = interfaceHolding(serverIp);
  return name && existsSync(`/sys/class/net/${name}/bridge`) ? name : undefined;
}

/**
 * Virtual nodes PXE-boot on a tap of the walt-net bridge (with a raw device or virtual-only): the
 * one-line refusal when there is none, e.g. "virtual nodes need the walt-net bridge: ...".
 */
export function missingBridge(serverIp: string): string | undefined {
  const name = interfaceHolding(serverIp);
  if (!name) return `virtual nodes need the walt-net bridge: no interface holds walt-net's address ${serverIp} (walt-server sets the bridge up at start: see its network log lines)`;
  if (!existsSync(`/sys/class/net/${name}/bridge`)) return `virtual nodes need the walt-net bridge: walt-net's address ${serverIp} is on ${name}, which is not a bridge (their taps can only join a bridge)`;
  return undefined;
}

/** The tap of a virtual node: "walt-vn-" + the last 6 hex digits of its MAC (15 characters at most). */
export function tapName(mac: string): string {
  return `walt-vn-${mac.replace(/:/g, '').slice(-6)}`;
}

/** Create (or reuse) the node's tap and plug it into the bridge; throws with `ip`'s one-line reason. */
export function ensureTap(tap: string, bridge: string): void {
  if (!existsSync(`/sys/class/net/${tap}`)) ip(['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  ip(['link', 'set', 'dev', tap, 'master', bridge, 'up']);
}

export function deleteTap(tap: string): void {
  if (existsSync(`/sys/class/net/${tap}`)) {
    try {
      ip(['link', 'del', 'dev', tap]);
    } catch {
      /* already gone */
    }
  }
}

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (e as Error).message}`);
  }
}

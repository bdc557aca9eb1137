// What the benchmarks share: a walt-net made of two network namespaces (a server namespace
// holding a bridge with the server address, a client namespace linked to it by a veth), and daemons
// started inside the server namespace (only namespaces the bench creates are touched); and waiting for walt-server's API port.
import { execFileSync, spawn } from 'node:child_process';

/**
 * Names of a bench network with tag `t` (two letters), led by WALT_TEST_NETNS_PREFIX (one letter) so that
 * several checkouts can run benches at once: namespaces <p>w<t>-srv / -cl, bridge <p>w<t>br, veth <p>w<t>v0.
 */
export function benchNames(t) {
  const p = (process.env.WALT_TEST_NETNS_PREFIX ?? '').slice(0, 1);
  return { srv: `${p}w${t}-srv`, cl: `${p}w${t}-cl`, bridge: `${p}w${t}br`, veth: `${p}w${t}v0` };
}

export const ip = (...a) => execFileSync('ip', a, { stdio: ['ignore', 'pipe', 'pipe'] });

/** f(), or undefined when it throws (for things that may already be gone). */
export const quiet = (f) => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

/**
 * Create (after removing leftovers) server namespace `srv` with bridge `bridge` holding `serverCidr`,
 * and client namespace `cl` whose `eth0` is linked to the bridge through veth `veth`.
 * Options: clientCidr (an address for eth0), clientMac, broadcastRoutes (255.255.255.255 routes on both
 * sides, for clients and servers that send to it without an address).
 */
export function setupBenchNetwork({ srv, cl, bridge, veth, serverCidr, clientCidr, clientMac, broadcastRoutes = false }) {
  teardownBenchNetwork({ srv, cl });
  ip('netns', 'add', srv);
  ip('netns', 'add', cl);
  ip('-n', srv, 'link', 'set', 'lo', 'up');
  ip('-n', srv, 'link', 'add', bridge, 'type', 'bridge');
  ip('-n', srv, 'addr', 'add', serverCidr, 'dev', bridge);
  ip('-n', srv, 'link', 'set', bridge, 'up');
  ip('link', 'add', veth, 'netns', srv, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', cl);
  ip('-n', srv, 'link', 'set', veth, 'master', bridge);
  ip('-n', srv, 'link', 'set', veth, 'up');
  ip('-n', cl, 'link', 'set', 'lo', 'up');
  if (clientMac) ip('-n', cl, 'link', 'set', 'eth0', 'address', clientMac);
  ip('-n', cl, 'link', 'set', 'eth0', 'up');
  if (clientCidr) ip('-n', cl, 'addr', 'add', clientCidr, 'dev', 'eth0');
  if (broadcastRoutes) {
    ip('-n', srv, 'route', 'add', '255.255.255.255/32', 'dev', bridge);
    ip('-n', cl, 'route', 'add', '255.255.255.255/32', 'dev', 'eth0');
  }
}

export function teardownBenchNetwork({ srv, cl }) {
  quiet(() => ip('netns', 'del', srv));
  quiet(() => ip('netns', 'del', cl));
}

/**
 * Start a daemon inside namespace `ns`; resolves with the child (`child.output()`: what it printed) once `ready` matches its output
 * (or after 300 ms when `ready` is null: daemons that print nothing), rejects if it exits first.
 */
export function startDaemonIn(ns, args, ready, timeoutMs = 30_000) {
  const child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let settled = false;
  /** What the daemon printed so far. */
  child.output = () => out;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args[0]} did not start: ${out}`));
    }, timeoutMs);
    const check = (d) => {
      out += d;
      if (!settled && (ready === null || ready.test(out))) {
        settled = true;
        clearTimeout(timer);
        resolvePromise(child);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    if (ready === null) setTimeout(() => check(''), 300);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`${args[0]} exited with ${code}: ${out}`));
      settled = true;
    });
  });
}

/** Stop a daemon: SIGTERM, SIGKILL after 5 s. */
export async function stopDaemon(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Resolves with the HTTP API port once the walt-server child prints `listening on http://...:port`. */
export function listeningPort(child) {
  return new Promise((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`walt-server did not start:\n${out}`)), 30_000);
    const onData = (d) => {
      out += d;
      const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`walt-server exited (${code}):\n${out}`)));
  });
}

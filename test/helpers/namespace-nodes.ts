import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryImageStore } from '../../packages/core/src/images/directory-image-store.js';
import { NODE_FILES_DIR } from '../../packages/core/src/images/node-files.js';
import { serverSshKeys } from '../../packages/core/src/images/server-ssh-keys.js';
import { createTestNetwork, inNetns, type TestNetwork } from './netns.js';
import { startServer, type ServerHandle } from './walt-processes.js';

const SUBNET = '192.168.152';

export interface NamespaceNodes {
  server: ServerHandle;
  network: TestNetwork;
  names: string[];
  ips: string[];
  /** Namespace of each node (same order as names). */
  namespaces: string[];
  /** The server's client key: what parallel-ssh / scp use to reach the same nodes. */
  keyFile: string;
  /** Run a command in the server's namespace (where walt-net is), e.g. parallel-ssh. */
  inServerNs(cmd: string, args: string[], timeoutMs?: number): string;
  /**
   * One more namespace running sshd (the server's key authorized for root), registered as a device
   * that is not a node. `passwordUser`: sshd also takes passwords, and that user exists with that
   * password (in the device's own /etc, an overlay: the host's users stay untouched).
   */
  addSshDevice(options?: { passwordUser?: { user: string; password: string } }): string;
  stop(): Promise<void>;
}

/** The directories of a namespace node that are a tmpfs overlay (what a user changes there is in its writable layer). */
export const NAMESPACE_NODE_LAYERED_DIRS = ['/etc', '/root', '/usr/bin'];

export interface NamespaceNodesOptions {
  /** The server's `images:` section (and more), instead of a folder holding the pc-x86-64 default image. */
  imagesYaml?: string;
  /**
   * Run the node's real net service (packages/core/node-files: busybox tcpsvd on TCP 12346, the
   * handler of blink and reboot requests). A reboot request only writes /run/walt/reboot-requested
   * (its /bin/walt-network-reboot, in the node's own /usr/bin layer); the node runs in a PID
   * namespace of its own in any case, where a reboot ends the namespace and never the machine.
   */
  netService?: boolean;
}

/**
 * "Nodes" that are network namespaces on a walt-net bridge, each running what a booted WalT node
 * runs for the server: OpenSSH's sshd with the server-wide host key and the server's key authorized
 * for root, its own hostname (a UTS namespace), and the bootup notification held open. Each has a
 * mount namespace with its own /run (a tmpfs) and, as walt-init does for the whole root of a real
 * node, a writable layer: /etc, /root and /usr/bin (so /bin) are overlays whose upper directories
 * are under /run/walt/rw/upper, so the host's own stay untouched; and a PID namespace. The server runs in the walt-net namespace
 * with a directory image store holding the pc-x86-64 default image (or `imagesYaml`), so each
 * registered MAC is a pc-x86-64 node.
 */
export async function startNamespaceNodes(count: number, tag = 'nodes', options: NamespaceNodesOptions = {}): Promise<NamespaceNodes> {
  const network = createTestNetwork({ tag });
  const dataDir = mkdtempSync(join(tmpdir(), 'walt-k-nodes-'));
  const images = join(dataDir, 'image-dir');
  const work = join(dataDir, 'ns-nodes');
  mkdirSync(work);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  if (!options.imagesYaml) DirectoryImageStore.writeImage(images, 'waltplatform/pc-x86-64-default:latest', { 'boot/pc-x86-64/start.ipxe': '#!ipxe\n' }, { models: ['pc-x86-64'] });
  const keysDir = join(dataDir, 'keys');
  const keys = serverSshKeys(keysDir);
  writeFileSync(join(work, 'authorized_keys'), keys.clientKeyPub + '\n');
  const children: ChildProcess[] = [];
  let server: ServerHandle | undefined;
  const stop = async () => {
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await server?.stop({ cleanup: true });
    network.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    server = await startServer({
      dataDir,
      netns: network.serverNs,
      config: `network:\n  walt-net:\n    raw-device: null\n    ip: ${SUBNET}.1/24\napi:\n  port: 0\n  tcp-port: 0\n${options.imagesYaml ?? `images:\n  directory: ${images}\n`}`,
    });
    const inServerNs = (cmd: string, args: string[], timeoutMs = 60_000) => inNetns(network.serverNs, cmd, args, timeoutMs);
    const token = await server.token('alice'); // raw calls act as the handle's walt runs do
    const api = (method: string, path: string, body?: unknown) =>
      JSON.parse(
        inServerNs('curl', ['-sS', '-X', method, '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, ...(body ? ['-d', JSON.stringify(body)] : []), `http://${server!.address}${path}`]),
      );
    const tcpPort = (api('GET', '/api/v1/logs/ingestion') as { tcpPort: number }).tcpPort;
    const sshdConfig = (i: number, ipAddr: string, passwords = false) => {
      const config = join(work, `sshd-${i}.conf`);
      writeFileSync(
        config,
        [
          'Port 22',
          `ListenAddress ${ipAddr}`,
          `HostKey ${join(keysDir, 'ssh_host_ecdsa_key')}`,
          `AuthorizedKeysFile ${join(work, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          `PasswordAuthentication ${passwords ? 'yes' : 'no'}`,
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'PidFile none',
          'MaxStartups 200',
          'Subsystem sftp internal-sftp',
        ].join('\n') + '\n',
      );
      return config;
    };
    let devices = 0;
    const addSshDevice = (o: { passwordUser?: { user: string; password: string } } = {}) => {
      const i = 200 + devices++;
      const mac = `02:00:00:4b:02:${i.toString(16).padStart(2, '0')}`;
      const ipAddr = `${SUBNET}.${i}`;
      const { ns, ifname } = network.addClient(mac);
      inNetns(ns, 'ip', ['addr', 'add', `${ipAddr}/24`, 'dev', ifname]);
      api('POST', '/api/v1/devices/register', { mac, ip: ipAddr });
      const config = sshdConfig(i, ipAddr, !!o.passwordUser);
      const u = o.passwordUser;
      if (u && !/^[a-z][a-z0-9-]{0,30}$/.test(u.user + u.password)) throw new Error('test device user and password: lower-case letters and digits only');
      const script = u
        ? `mount -t tmpfs -o mode=0755 walt-device-run /run && mkdir -p /run/sshd /run/rw/upper /run/rw/work || exit 1
mount -t overlay -o lowerdir=/etc,upperdir=/run/rw/upper,workdir=/run/rw/work walt-device /etc || exit 1
useradd -M -d /tmp -s /bin/sh ${u.user} && echo '${u.user}:${u.password}' | chpasswd || exit 1
exec /usr/sbin/sshd -D -e -f ${config}`
        : `exec /usr/sbin/sshd -D -e -f ${config}`;
      children.push(spawn('ip', ['netns', 'exec', ns, 'unshare', '--mount', '--pid', '--fork', '--mount-proc', 'bash', '-c', script], { stdio: 'ignore', detached: true }));
      execFileSync('sleep', ['1']);
      return `unknown-4b02${i.toString(16).padStart(2, '0')}`;
    };
    const names: string[] = [];
    const ips: string[] = [];
    const namespaces: string[] = [];
    for (let i = 0; i < count; i++) {
      const mac = `02:00:00:4b:00:${i.toString(16).padStart(2, '0')}`;
      const ipAddr = `${SUBNET}.${10 + i}`;
      const { ns, ifname } = network.addClient(mac);
      inNetns(ns, 'ip', ['addr', 'add', `${ipAddr}/24`, 'dev', ifname]);
      const reg = api('POST', '/api/v1/devices/register', { mac, ip: ipAddr, vendorClass: 'walt.node.pc-x86-64' }) as { device?: { name: string }; name?: string };
      const name = `node-4b00${i.toString(16).padStart(2, '0')}`;
      const config = sshdConfig(i, ipAddr);
      // The node's side, as walt-notify-bootup: notify once sshd listens, and hold the connection.
      const layers = NAMESPACE_NODE_LAYERED_DIRS.map(
        (d) => `mkdir -p /run/walt/rw/upper${d} /run/walt/rw/work${d} && mount -t overlay -o lowerdir=${d},upperdir=/run/walt/rw/upper${d},workdir=/run/walt/rw/work${d} walt-node ${d} || exit 1`,
      ).join('\n');
      const netService = options.netService
        ? `printf '#!/bin/sh\\n: > /run/walt/reboot-requested\\n' > /usr/bin/walt-network-reboot && chmod 755 /usr/bin/walt-network-reboot || exit 1
printf 'export walt_node_net_service_port=12346\\n' > /usr/bin/walt-env
mkdir -p /usr/bin/_walt_internal_ && cp ${join(NODE_FILES_DIR, 'bin/_walt_internal_')}/walt-net-service* /usr/bin/_walt_internal_/ || exit 1
/bin/_walt_internal_/walt-net-service >/dev/null 2>&1 &`
        : '';
      const script = `hostname ${name}
mount -t tmpfs -o mode=0755 walt-node-run /run || exit 1
mkdir -p /run/sshd
${layers}
${netService}
/usr/sbin/sshd -D -e -f ${config} 2>/dev/null &
for i in $(seq 100); do grep -q ':0016 0*:0000 0A' /proc/net/tcp && break; sleep 0.1; done
exec 3<>/dev/tcp/${SUBNET}.1/${tcpPort} || exit 1
printf 'REQ_NOTIFY_BOOTUP_STATUS\\n' >&3
while sleep 20; do printf '\\n' >&3 || break; done`;
      const child = spawn('ip', ['netns', 'exec', ns, 'unshare', '--uts', '--mount', '--pid', '--fork', '--mount-proc', 'bash', '-c', script], { stdio: 'ignore', detached: true });
      children.push(child);
      names.push(reg.device?.name ?? name);
      ips.push(ipAddr);
      namespaces.push(ns);
    }
    // Every node booted (its notification arrived).
    const wait = await server.walt(['node', 'wait', '--timeout', '120', names.join(',')], { timeoutMs: 150_000 });
    if (wait.code !== 0) throw new Error(`namespace nodes did not boot: ${wait.stderr}`);
    return { server, network, names, ips, namespaces, keyFile: join(keysDir, 'id_ed25519'), inServerNs, addSshDevice, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The tools these nodes need (Debian: openssh-server, curl, util-linux). */
export const NAMESPACE_NODE_COMMANDS = ['ip', 'curl', 'unshare', '/usr/sbin/sshd', 'tar'];

export function hasSshd(): boolean {
  try {
    execFileSync('/usr/sbin/sshd', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

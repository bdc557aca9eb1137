import type { DhcpTransport, TransportReport } from './dhcp-transport.js';
import { DgramDhcpTransport } from './dgram-dhcp-transport.js';
import type { Ipv4Subnet } from './ipv4.js';
import { loadDhcpSocketAddon, NativeDhcpTransport, type DhcpSocketAddon } from './native-dhcp-transport.js';

export interface DhcpTransportOptions {
  serverIp: string;
  subnet: Ipv4Subnet;
  port?: number;
  /** Loopback tests and diagnostics: bind here and send every broadcast to `broadcastAddress`, with dgram. */
  bindAddress?: string;
  broadcastAddress?: string;
  report: TransportReport;
  /** Replaced by tests that check the fallback. */
  loadAddon?: () => DhcpSocketAddon | string;
}

/**
 * The native socket when @walt/tftp-native is built; otherwise Node's dgram with replies to
 * walt-net's directed broadcast, which serves every client with its own packet stack or raw socket
 * (udhcpc, dhclient, iPXE, U-Boot, Raspberry Pi firmware) but not those that need 255.255.255.255.
 */
export function openDhcpTransport(o: DhcpTransportOptions): DhcpTransport {
  const port = o.port ?? 67;
  if (o.bindAddress !== undefined || o.broadcastAddress !== undefined) {
    const to = o.broadcastAddress ?? o.subnet.broadcastString;
    return new DgramDhcpTransport({ port, address: o.bindAddress ?? '0.0.0.0' }, to, o.report, `replies to ${to} (dgram socket, as asked)`, false);
  }
  const addon = (o.loadAddon ?? loadDhcpSocketAddon)();
  if (typeof addon !== 'string') return new NativeDhcpTransport(addon, { port, address: '0.0.0.0' }, o.serverIp, o.report);
  const to = o.subnet.broadcastString;
  return new DgramDhcpTransport(
    { port, address: '0.0.0.0' },
    to,
    o.report,
    `replies to walt-net's broadcast address ${to}, not 255.255.255.255, and no unicast to new clients; ${addon}: ` +
      'clients that read replies through their IP stack before they have an address get no lease (npm rebuild @walt/tftp-native needs a C compiler)',
    true,
  );
}

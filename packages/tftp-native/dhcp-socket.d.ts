/** A DHCP server socket: receives with the arrival interface, sends out of a chosen interface. */
export interface DhcpSocket {
  /** The bound port. */
  readonly port: number;
  /**
   * Send one datagram, out of interface `ifindex` whatever the routing table says (0: as routed),
   * so that 255.255.255.255 leaves through that interface only. Returns '' or why it failed.
   */
  send(buffer: Uint8Array, address: string, port: number, ifindex: number): string;
  /** Add an ARP entry ip -> mac on `ifname` (needs CAP_NET_ADMIN). Returns '' or why it failed. */
  setArp(ip: string, mac: Uint8Array, ifname: string): string;
  /** Stop receiving and release the socket. */
  close(): void;
}

/**
 * Bind `address:port` (SO_BROADCAST, IP_PKTINFO, SO_TIMESTAMPNS, 4 MiB buffers). `arrivalMs`: when
 * the kernel received the datagram, on clockMs()'s clock. Throws a one-line error, e.g.
 * `bind 0.0.0.0:67: Address already in use (EADDRINUSE)`.
 */
export function open(
  port: number,
  address: string,
  onMessage: (buffer: Buffer, address: string, port: number, ifindex: number, arrivalMs: number) => void,
  onCallbackError?: (e: unknown) => void,
): DhcpSocket;

/** The real-time clock in milliseconds (with the fraction): the clock of `arrivalMs`. */
export function clockMs(): number;

/** The kernel's index of the interface `name` (0: no such interface). */
export function interfaceIndex(name: string): number;

/** The name of the interface of that index ('': none). */
export function interfaceName(index: number): string;

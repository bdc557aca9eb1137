/** DHCP (RFC 2131/2132) message as the server sees it: the BOOTP header plus decoded options. */

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const DHCP_MAGIC_COOKIE = 0x63825363;
/** Size of the fixed BOOTP header including the magic cookie; options start here. */
export const DHCP_HEADER_LENGTH = 240;
/** BOOTP clients expect at least this many bytes (RFC 951); replies are padded to it. */
export const BOOTP_MIN_LENGTH = 300;
/** The broadcast bit of `flags`. */
export const FLAG_BROADCAST = 0x8000;

export enum DhcpMessageType {
  DISCOVER = 1,
  OFFER = 2,
  REQUEST = 3,
  DECLINE = 4,
  ACK = 5,
  NAK = 6,
  RELEASE = 7,
  INFORM = 8,
}

/** Option codes the server reads or writes. */
export const Opt = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST_ADDRESS: 28,
  NTP_SERVERS: 42,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
  BOOTFILE_NAME: 67,
  USER_CLASS: 77,
  CLIENT_ARCH: 93,
  CLIENT_UUID: 97,
  DOMAIN_SEARCH: 119,
  IPXE_ENCAPSULATED: 175,
  END: 255,
} as const;

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  /** Dotted quads; "0.0.0.0" when unset. */
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** Client hardware address (first `hlen` bytes of chaddr), lowercase colon form. */
  chaddr: string;
  sname: string;
  file: string;
  /** Options by code; a code split over several instances (RFC 3396) is concatenated. */
  options: Map<number, Buffer>;
}

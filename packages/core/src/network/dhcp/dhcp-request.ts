import type { DhcpMessageKind, DhcpRequestView } from '@walt/sdk';
import { BOOTREQUEST, DhcpMessageType, DhcpParseError, Opt, type DhcpPacket } from '@walt/sdk/dhcp';
import { intToIp } from './ipv4.js';

/** A client request the server can act on: the packet plus its decoded, validated options. */
export interface DhcpRequest {
  packet: DhcpPacket;
  type: DhcpMessageType;
  /** What boot protocols see. */
  view: DhcpRequestView;
  /** Option 50. */
  requestedIp?: string;
  /** Option 54. */
  serverId?: string;
  /** Option 61, hex. */
  clientId?: string;
}

const KINDS: Partial<Record<DhcpMessageType, DhcpMessageKind>> = {
  [DhcpMessageType.DISCOVER]: 'DISCOVER',
  [DhcpMessageType.REQUEST]: 'REQUEST',
  [DhcpMessageType.DECLINE]: 'DECLINE',
  [DhcpMessageType.RELEASE]: 'RELEASE',
  [DhcpMessageType.INFORM]: 'INFORM',
};

/**
 * Check a parsed packet is a DHCP request from an Ethernet client and decode the options the server
 * uses (12, 50, 54, 55, 60, 61, 77, 93, 97). Throws DhcpParseError otherwise (BOOTP without option
 * 53, replies, other hardware types, server-to-client message types, malformed option values).
 */
export function decodeDhcpRequest(packet: DhcpPacket): DhcpRequest {
  if (packet.op !== BOOTREQUEST) throw new DhcpParseError(`not a request (op ${packet.op})`);
  if (packet.htype !== 1 || packet.hlen !== 6) throw new DhcpParseError(`not an Ethernet client (htype ${packet.htype}, hlen ${packet.hlen})`);
  const typeOpt = packet.options.get(Opt.MESSAGE_TYPE);
  if (!typeOpt || typeOpt.length !== 1) throw new DhcpParseError('no DHCP message type (option 53)');
  const type = typeOpt[0] as DhcpMessageType;
  const kind = KINDS[type];
  if (!kind) throw new DhcpParseError(`message type ${typeOpt[0]} is not a client request`);
  if (packet.chaddr === '00:00:00:00:00:00' || packet.chaddr === 'ff:ff:ff:ff:ff:ff') throw new DhcpParseError(`invalid client MAC ${packet.chaddr}`);
  const o = packet.options;
  const view: DhcpRequestView = {
    kind,
    mac: packet.chaddr,
    parameterRequestList: [...(o.get(Opt.PARAMETER_REQUEST_LIST) ?? [])],
  };
  const vendorClass = text(o.get(Opt.VENDOR_CLASS));
  if (vendorClass !== undefined) view.vendorClass = vendorClass;
  const userClass = firstUserClass(o.get(Opt.USER_CLASS));
  if (userClass !== undefined) view.userClass = userClass;
  const hostName = text(o.get(Opt.HOST_NAME));
  if (hostName !== undefined) view.hostName = hostName;
  const arch = o.get(Opt.CLIENT_ARCH);
  if (arch && arch.length >= 2 && arch.length % 2 === 0) view.clientArch = arch.readUInt16BE(0);
  const uuid = o.get(Opt.CLIENT_UUID);
  if (uuid && uuid.length > 0) view.clientUuid = uuid.toString('hex');
  const request: DhcpRequest = { packet, type, view };
  const requested = address(o.get(Opt.REQUESTED_IP), 50);
  if (requested) request.requestedIp = requested;
  const serverId = address(o.get(Opt.SERVER_ID), 54);
  if (serverId) request.serverId = serverId;
  const clientId = o.get(Opt.CLIENT_ID);
  if (clientId && clientId.length > 0) request.clientId = clientId.toString('hex');
  return request;
}

/** Text options: NUL padding some clients add is dropped; empty means absent. */
function text(value: Buffer | undefined): string | undefined {
  if (!value) return undefined;
  const nul = value.indexOf(0);
  const s = value.subarray(0, nul < 0 ? value.length : nul).toString('latin1');
  return s.length ? s : undefined;
}

function address(value: Buffer | undefined, code: number): string | undefined {
  if (!value) return undefined;
  if (value.length !== 4) throw new DhcpParseError(`option ${code} must hold 4 bytes (got ${value.length})`);
  return intToIp(value.readUInt32BE(0));
}

/**
 * Option 77. RFC 3004 makes it a list of length-prefixed classes, but iPXE and dhclient send the
 * bare text (and the original WalT compared the raw value): take the first class when the value
 * parses exactly as a RFC 3004 list of printable classes, the raw text otherwise.
 */
function firstUserClass(value: Buffer | undefined): string | undefined {
  if (!value || value.length === 0) return undefined;
  let i = 0;
  let first: Buffer | undefined;
  while (i < value.length) {
    const len = value[i];
    if (len === 0 || i + 1 + len > value.length) break;
    const cls = value.subarray(i + 1, i + 1 + len);
    if (!isPrintable(cls)) break;
    first ??= cls;
    i += 1 + len;
  }
  if (i === value.length && first) return first.toString('latin1');
  return text(value);
}

function isPrintable(b: Buffer): boolean {
  for (const c of b) if (c < 0x20 || c > 0x7e) return false;
  return true;
}

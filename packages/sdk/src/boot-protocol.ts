/**
 * Boot protocols are pure decisions: core owns the DHCP and TFTP sockets and asks the protocols
 * (first claimant wins, by ascending `order`) how to answer. This keeps them unit-testable.
 */

export type DhcpMessageKind = 'DISCOVER' | 'REQUEST' | 'INFORM' | 'DECLINE' | 'RELEASE';

/** A parsed DHCP request, as protocols see it. */
export interface DhcpRequestView {
  kind: DhcpMessageKind;
  /** Lowercase, colon separated: "b8:27:eb:f2:67:82". */
  mac: string;
  /** Option 60. */
  vendorClass?: string;
  /** Option 77 (first class, as text). */
  userClass?: string;
  /** Option 93 (first architecture type). */
  clientArch?: number;
  /** Option 97, hex. */
  clientUuid?: string;
  /** Option 12. */
  hostName?: string;
  /** Option 55. */
  parameterRequestList: readonly number[];
}

/** What the host knows of the requester when a protocol decides. */
export interface DhcpBootContext {
  serverIp: string;
  /** The registered device with that MAC, if any. */
  device?: { name: string; type: string; model?: string };
  /** True when a node model with that id is registered by some plugin. */
  isKnownModel(modelId: string): boolean;
  /** True when a node model of some plugin lists a MAC prefix matching this MAC. */
  macPrefixModels(mac: string): readonly string[];
}

/** The boot-related part of the reply a protocol shapes. */
export interface DhcpBootReply {
  /** BOOTP `file` field and option 67. */
  bootFile?: string;
  /** siaddr; defaults to the server. */
  nextServer?: string;
  /** Option 60 echoed back (Raspberry Pi firmware wants "PXEClient"). */
  vendorClass?: string;
  /** Option 43, raw. */
  vendorOptions?: Uint8Array;
  /** Option 175, raw: iPXE's encapsulated options (e.g. 176 "no-pxedhcp"), read by iPXE clients only. */
  ipxeOptions?: Uint8Array;
}

/** A TFTP request as protocols see it. */
export interface TftpRequestContext {
  clientIp: string;
  /**
   * The requested name, already checked by core: relative, forward slashes, no '..' segment, no
   * control character. Names that try to escape never reach a protocol.
   */
  name: string;
  /** The node at that IP, if registered (type node, with a model and an image). */
  node?: { mac: string; name: string; model: string; image: string };
  /** The device at that IP when it is registered but not a node (unknown devices, switches). */
  device?: { mac: string; name: string; type: string };
  serverIp: string;
  /** The server's static boot folder (`<data dir>/tftp-static`), e.g. for boards not registered yet. */
  staticDir: string;
}

/**
 * Where a TFTP name resolves. Paths are relative to the named root; core does the file access and
 * refuses anything that leaves the root ('..', symlinks pointing outside). Inside an image, absolute
 * symlinks are resolved against the image root, as the node would see them.
 */
export type TftpResolution =
  | { kind: 'image'; path: string } // a path inside the node's image root filesystem
  | { kind: 'static'; root: string; path: string } // a path under a static directory (absolute root)
  | { kind: 'generated'; content: Uint8Array }
  | { kind: 'not-found' }; // stop here: the name is known to this protocol but absent

/** The boot folder of a model inside an image, where its TFTP files live (`boot/<model>`). */
export function imageBootPath(model: string, name: string): string {
  return `boot/${model}/${name}`;
}

export interface BootProtocol {
  id: string;
  description: string;
  /** Lower claims first (default 100). */
  order?: number;
  /** Does this protocol answer this DHCP request? */
  claims(request: DhcpRequestView, context: DhcpBootContext): boolean;
  /** The boot fields of the reply for a request it claimed. */
  reply(request: DhcpRequestView, context: DhcpBootContext): DhcpBootReply;
  /** The node model a request identifies, if any (e.g. `walt.node.<model>`). */
  identify?(request: DhcpRequestView): string | undefined;
  /** Resolve a TFTP name; undefined lets the next protocol try. */
  resolveTftp?(request: TftpRequestContext): TftpResolution | undefined;
  /**
   * Files this protocol serves from the server's static boot folder (`<data dir>/tftp-static`),
   * relative to it. The server warns once at start when some are missing, naming the command that
   * builds the folder.
   */
  staticFiles?: readonly string[];
}

export const WALT_NODE_CLASS_PREFIX = 'walt.node.';

/** The model announced by a `walt.node.<model>` class in option 77 or option 60 (user class first, as WalT does). */
export function modelFromClasses(request: Pick<DhcpRequestView, 'vendorClass' | 'userClass'>): string | undefined {
  for (const c of [request.userClass, request.vendorClass]) {
    if (c?.startsWith(WALT_NODE_CLASS_PREFIX) && c.length > WALT_NODE_CLASS_PREFIX.length) {
      return c.slice(WALT_NODE_CLASS_PREFIX.length);
    }
  }
  return undefined;
}

import { modelFromClasses, type BootProtocol, type DhcpBootContext, type DhcpBootReply, type DhcpRequestView } from '@walt/sdk';
import { isIPv4 } from 'node:net';

/** The part of the extension registry the DHCP server asks. */
export interface BootProtocolSource {
  bootProtocols(): BootProtocol[];
  nodeModel(id: string): unknown;
  modelsForMac(mac: string): string[];
}

/**
 * Asks the boot protocols (plugins) about a request. A protocol that throws is skipped and reported
 * (`onError`): a plugin bug never stops the DHCP server, the next protocol gets its chance.
 */
export class BootDecision {
  constructor(
    private readonly source: BootProtocolSource,
    private readonly onError: (protocol: string, what: string, error: unknown) => void,
  ) {}

  context(serverIp: string, device?: DhcpBootContext['device']): DhcpBootContext {
    return {
      serverIp,
      device,
      isKnownModel: (id) => this.source.nodeModel(id) !== undefined,
      macPrefixModels: (mac) => this.source.modelsForMac(mac),
    };
  }

  /** The boot fields of the first protocol that claims the request (empty when none does). */
  reply(request: DhcpRequestView, context: DhcpBootContext): DhcpBootReply {
    for (const protocol of this.source.bootProtocols()) {
      let claimed = false;
      try {
        claimed = protocol.claims(request, context) === true;
      } catch (e) {
        this.onError(protocol.id, 'claims', e);
        continue;
      }
      if (!claimed) continue;
      try {
        return sanitize(protocol.reply(request, context));
      } catch (e) {
        this.onError(protocol.id, 'reply', e);
      }
    }
    return {};
  }

  /** The node model a request announces: the first protocol that identifies it, else `walt.node.<model>`. */
  model(request: DhcpRequestView): string | undefined {
    for (const protocol of this.source.bootProtocols()) {
      if (!protocol.identify) continue;
      try {
        const model = protocol.identify(request);
        if (typeof model === 'string' && model) return model;
      } catch (e) {
        this.onError(protocol.id, 'identify', e);
      }
    }
    return modelFromClasses(request);
  }
}

/** Keep only well-formed boot fields (a plugin may return anything at run time). */
function sanitize(reply: DhcpBootReply | undefined): DhcpBootReply {
  const out: DhcpBootReply = {};
  if (!reply || typeof reply !== 'object') return out;
  if (typeof reply.bootFile === 'string' && reply.bootFile.length > 0 && reply.bootFile.length <= 255) out.bootFile = reply.bootFile;
  if (typeof reply.nextServer === 'string' && isIPv4(reply.nextServer)) out.nextServer = reply.nextServer;
  if (typeof reply.vendorClass === 'string' && reply.vendorClass.length > 0 && reply.vendorClass.length <= 255) out.vendorClass = reply.vendorClass;
  if (reply.vendorOptions instanceof Uint8Array && reply.vendorOptions.length <= 1024) out.vendorOptions = reply.vendorOptions;
  if (reply.ipxeOptions instanceof Uint8Array && reply.ipxeOptions.length <= 255) out.ipxeOptions = reply.ipxeOptions;
  return out;
}

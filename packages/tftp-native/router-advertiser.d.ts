/** Answers router solicitations on one interface until closed. */
export interface RouterAdvertiser {
  close(): void;
}

/**
 * Answer each IPv6 router solicitation arriving on `ifname` with "no IPv6 router here" (a router
 * advertisement with no prefix, flags M and O clear, router lifetime 0, to ff02::1, hop limit 255).
 * Needs CAP_NET_RAW. Throws a one-line error, e.g. `SO_BINDTODEVICE on walt-net: Operation not permitted (EPERM)`.
 */
export function open(ifname: string, onSolicitation: (sourceAddress: string, sendError: string) => void): RouterAdvertiser;

/** Option negotiation: blksize (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440). */

export interface TftpLimits {
  /** Largest block size granted (clients asking more get this). */
  maxBlockSize: number;
  /** Largest window granted. */
  maxWindowSize: number;
  /** Retransmission timeout when the client does not ask for one, ms. */
  defaultTimeoutMs: number;
}

export const DEFAULT_TFTP_LIMITS: TftpLimits = { maxBlockSize: 65464, maxWindowSize: 64, defaultTimeoutMs: 1000 };

export interface NegotiatedTransfer {
  blockSize: number;
  windowSize: number;
  timeoutMs: number;
  /** Options to acknowledge in an OACK; empty means plain RFC 1350 (no OACK, data at once). */
  acknowledged: Map<string, string>;
}

/**
 * Decide the transfer parameters from the client's options. Unknown or malformed options are
 * ignored (RFC 2347: the server simply omits them from the OACK).
 */
export function negotiate(options: ReadonlyMap<string, string>, fileSize: number, limits: TftpLimits = DEFAULT_TFTP_LIMITS): NegotiatedTransfer {
  const acknowledged = new Map<string, string>();
  let blockSize = 512;
  let windowSize = 1;
  let timeoutMs = limits.defaultTimeoutMs;
  const int = (v: string | undefined) => (v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

  const blk = int(options.get('blksize'));
  if (blk !== undefined && blk >= 8) {
    blockSize = Math.min(blk, limits.maxBlockSize, 65464);
    acknowledged.set('blksize', String(blockSize));
  }
  const timeout = int(options.get('timeout'));
  if (timeout !== undefined && timeout >= 1 && timeout <= 255) {
    timeoutMs = timeout * 1000;
    acknowledged.set('timeout', String(timeout));
  }
  if (options.get('tsize') !== undefined) acknowledged.set('tsize', String(fileSize));
  const win = int(options.get('windowsize'));
  if (win !== undefined && win >= 1) {
    windowSize = Math.min(win, limits.maxWindowSize, 65535);
    acknowledged.set('windowsize', String(windowSize));
  }
  return { blockSize, windowSize, timeoutMs, acknowledged };
}

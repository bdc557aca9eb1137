/** A running transfer, for cancel(). */
export type TransferHandle = { readonly __brand: 'walt-tftp-transfer' };

export interface SendOptions {
  /** An open descriptor the thread reads with pread (the caller closes it after onEnd). */
  fd?: number;
  /** Or the content itself (copied). */
  bytes?: Uint8Array;
  size: number;
  blockSize: number;
  windowSize: number;
  timeoutMs: number;
  maxRetries?: number;
  /** Busy-poll the socket this long after each window before sleeping (0: never). */
  spinMicros?: number;
  /** Local IPv4 address of the transfer socket (default: any). */
  localAddress?: string;
  peerAddress: string;
  peerPort: number;
  /** The OACK packet to send first and see acknowledged (block 0); absent: data at once (RFC 1350). */
  oack?: Uint8Array;
}

export interface SendOutcome {
  status: 'sent' | 'aborted' | 'failed';
  /** Empty when sent. */
  reason: string;
}

export function send(options: SendOptions, onEnd: (outcome: SendOutcome) => void, onCallbackError?: (e: unknown) => void): TransferHandle;
/** End a transfer now: the client gets an ERROR with `reason`, and onEnd reports it failed. */
export function cancel(handle: TransferHandle, reason: string): void;
/**
 * Process-wide: how many transfers may busy-poll at the same time, and how many event threads run
 * the transfers (default: one per core, at most 4; only before the first transfer).
 */
export function configure(options: { maxSpinning?: number; threads?: number }): void;

/**
 * Open `path` inside `root` as a chroot would resolve it (openat2 RESOLVE_IN_ROOT: absolute links
 * and ".." stay inside the root). Returns a read-only, close-on-exec descriptor (a directory when
 * `directory`); throws an Error whose `code` is ENOENT, ENOTDIR, ELOOP, ENOSYS...
 */
export function openBeneath(root: string, path: string, directory?: boolean): number;

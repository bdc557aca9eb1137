import { WaltError } from '../../errors.js';
import { DEFAULT_TFTP_LIMITS, type TftpLimits } from './tftp-options.js';
import { DEFAULT_BUSY_POLL_MICROS, type TransferSettings } from './transfer-pool.js';

/** The `services: tftp:` section of the server config. */
export interface TftpConfig {
  enabled: boolean;
  port: number;
  /** The same files over HTTP (`GET /boot/<name>`, what iPXE scripts try first); 0: off. */
  httpPort: number;
  limits: TftpLimits;
  /** Where transfers run: engine (native | threads), worker threads, busy-poll. */
  transfers: TransferSettings;
}

const KEYS = ['enabled', 'port', 'http-port', 'max-blksize', 'max-windowsize', 'engine', 'workers', 'busy-poll-us'];

/** Read `services.tftp` (keys: KEYS); one-line error naming the key. */
export function parseTftpConfig(services: Record<string, unknown>): TftpConfig {
  const raw = services.tftp ?? {};
  const bad = (key: string, what: string) => new WaltError('config-invalid', `services.tftp.${key}: ${what}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new WaltError('config-invalid', 'services.tftp: expected a mapping (e.g. "tftp: {port: 69}")');
  }
  const t = raw as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (!KEYS.includes(k)) throw bad(k, `unknown key (known: ${KEYS.join(', ')})`);
  }
  const int = (key: string, min: number, max: number, dflt: number): number => {
    const v = t[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(key, `must be a whole number from ${min} to ${max}`);
    return v;
  };
  if (t.enabled !== undefined && typeof t.enabled !== 'boolean') throw bad('enabled', 'must be true or false');
  if (t.engine !== undefined && t.engine !== 'native' && t.engine !== 'threads') throw bad('engine', 'must be native or threads');
  return {
    enabled: t.enabled !== false,
    port: int('port', 1, 65535, 69),
    httpPort: int('http-port', 0, 65535, 80),
    transfers: {
      engine: (t.engine as 'native' | 'threads' | undefined) ?? 'native',
      workers: t.workers === undefined ? undefined : int('workers', 0, 64, 0),
      busyPollMicros: int('busy-poll-us', 0, 1000, DEFAULT_BUSY_POLL_MICROS),
    },
    limits: {
      ...DEFAULT_TFTP_LIMITS,
      maxBlockSize: int('max-blksize', 512, 65464, DEFAULT_TFTP_LIMITS.maxBlockSize),
      maxWindowSize: int('max-windowsize', 1, 256, DEFAULT_TFTP_LIMITS.maxWindowSize),
    },
  };
}

/** Rules every ingestion path applies (HTTP and the TCP side channel). */

const TEN_YEARS_US = 10 * 365 * 86400 * 1_000_000;

/**
 * A timestamp given by a node (seconds since the epoch, float) in µs; as the original, one more than
 * ten years in the past or more than one second in the future is replaced by the reception time.
 */
export function acceptedTimestamp(seconds: number, now: number): number {
  const ts = Math.round(seconds * 1_000_000);
  if (!Number.isFinite(ts) || ts < now - TEN_YEARS_US || ts > now + 1_000_000) return now;
  return ts;
}

/** Why a stream name is refused, or null when it is fine. */
export function checkStreamName(name: string): string | null {
  if (!name) return 'missing stream name (e.g. walt-log-echo my-stream "a line")';
  if (name.length > 255) return 'stream name too long (at most 255 characters)';
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(name)) return `invalid stream name '${name.slice(0, 60)}' (no spaces or control characters)`;
  return null;
}

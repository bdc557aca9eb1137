import { invalid } from '../errors.js';

/** Strict time bounds in µs (null = open); `null` range means no history at all. */
export interface TimeRange {
  after: number | null;
  before: number | null;
}

const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const CHECKPOINT_NAME = /^[a-zA-Z0-9]+[a-zA-Z0-9-]+$/;
const SEE_ALSO = "See 'walt help show log-history' for more info.";
export const INVALID_HISTORY_RANGE = `Invalid HISTORY_RANGE. ${SEE_ALSO}`;

/** `-<int><s|m|h|d>` relative to `now` (µs); throws the original's message on anything else. */
export function relativeDate(text: string, now: number): number {
  const m = /^-(\d+)([smhd])$/.exec(text);
  if (!m) throw invalid("Invalid relative date. Should be: -<int>[dhms] (e.g. '-6h' for 'six hours ago')");
  return now - Number(m[1]) * SECONDS_PER_UNIT[m[2]] * 1_000_000;
}

export function isCheckpointName(name: string): boolean {
  return CHECKPOINT_NAME.test(name);
}

/**
 * Parse a HISTORY_RANGE as the original client does: `none`, `full`, or `[start]:[end]` where each
 * bound is empty (open), `-<n>[smhd]` (relative to server time) or a checkpoint name of the user.
 * Returns null for `none`.
 */
export function parseHistoryRange(text: string, now: number, checkpointTime: (name: string) => number | undefined): TimeRange | null {
  const lower = text.toLowerCase();
  if (lower === 'none') return null;
  if (lower === 'full') return { after: null, before: null };
  const parts = text.split(':');
  if (parts.length !== 2) throw invalid(INVALID_HISTORY_RANGE);
  const bounds = parts.map((part) => {
    if (part === '') return null;
    if (part.startsWith('-')) return relativeDate(part, now);
    if (!isCheckpointName(part)) throw invalid(INVALID_HISTORY_RANGE);
    const ts = checkpointTime(part);
    if (ts === undefined) throw invalid(`Failed: no checkpoint with this name '${part}'. ${INVALID_HISTORY_RANGE}`);
    return ts;
  });
  const [after, before] = bounds;
  if (after !== null && before !== null && after > before) {
    throw invalid(`Issue with the HISTORY_RANGE specified: the starting point is newer than the ending point. ${INVALID_HISTORY_RANGE}`);
  }
  return { after, before };
}

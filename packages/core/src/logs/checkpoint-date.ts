import { invalid } from '../errors.js';
import { relativeDate } from './history-range.js';

const CANNOT_PARSE = 'Could not parse the date specified. Expected format is: <YYYY>-<MM>-<DD> <hh>:<mm>:<ss> (e.g. 2015-09-28 15:16:39)';

/**
 * The date of a new checkpoint (µs): now, `-<n>[smhd]` before now, or `YYYY-MM-DD hh:mm:ss` in the
 * server's local time, as the original's `--date`.
 */
export function checkpointDate(text: string | undefined, now: number): number {
  if (text === undefined || text === '') return now;
  if (text.startsWith('-')) return relativeDate(text, now);
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw invalid(CANNOT_PARSE);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(y, mo - 1, d, h, mi, s);
  // Reject what Date silently rolls over (2015-02-30, 25:00:00).
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi || date.getSeconds() !== s) {
    throw invalid(CANNOT_PARSE);
  }
  return date.getTime() * 1000;
}

import { CliError } from '../../cli-error.js';
import { microTime, pythonDatetime, strftime } from './strftime.js';

/** A log record as the server streams it. */
export interface LogRecordJson {
  id: number;
  /** µs since the epoch. */
  ts: number;
  issuer: string;
  stream: string;
  line: string;
}

export const DEFAULT_LOG_FORMAT = '{timestamp:%H:%M:%S.%f} {issuer}.{stream} -> {line}';
export const BAD_FORMAT = 'Could not display the log record. Verify your format string.';

const FIELDS = ['timestamp', 'issuer', 'stream', 'line'] as const;
type Field = (typeof FIELDS)[number];

type Part = (r: LogRecordJson) => string;

/**
 * Compile a `--format` string with the original's semantics (Python `str.format` over the fields
 * timestamp, issuer, stream, line): `{{`/`}}` escapes, `!s`/`!r` conversions, a strftime spec for
 * timestamp, and `[[fill]align][width][.precision][s]` for the text fields. Anything else is refused
 * with the original's message before any record is read.
 */
export function compileLogFormat(format: string): (record: LogRecordJson) => string {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  const flush = () => {
    if (!literal) return;
    const text = literal;
    parts.push(() => text);
    literal = '';
  };
  while (i < format.length) {
    const c = format[i];
    if (c === '}') {
      if (format[i + 1] !== '}') throw new CliError(BAD_FORMAT, 'bad-format');
      literal += '}';
      i += 2;
      continue;
    }
    if (c !== '{') {
      literal += c;
      i++;
      continue;
    }
    if (format[i + 1] === '{') {
      literal += '{';
      i += 2;
      continue;
    }
    const end = format.indexOf('}', i);
    if (end < 0) throw new CliError(BAD_FORMAT, 'bad-format');
    flush();
    parts.push(compileField(format.slice(i + 1, end)));
    i = end + 1;
  }
  flush();
  return (r) => {
    let out = '';
    for (const p of parts) out += p(r);
    return out;
  };
}

function compileField(body: string): Part {
  const m = /^([a-z]+)(?:!([rsa]))?(?::(.*))?$/s.exec(body);
  if (!m || !(FIELDS as readonly string[]).includes(m[1])) throw new CliError(BAD_FORMAT, 'bad-format');
  const field = m[1] as Field;
  const conversion = m[2];
  const spec = m[3] ?? '';
  if (field === 'timestamp' && !conversion) {
    return spec ? (r) => strftime(spec, microTime(r.ts)) : (r) => pythonDatetime(r.ts);
  }
  const text: (r: LogRecordJson) => string =
    field === 'timestamp'
      ? (r) => pythonDatetime(r.ts)
      : (r) => r[field as Exclude<Field, 'timestamp'>];
  const converted = conversion === 'r' || conversion === 'a' ? (r: LogRecordJson) => pythonRepr(text(r)) : text;
  if (!spec) return converted;
  const pad = compileTextSpec(spec);
  return (r) => pad(converted(r));
}

/** `[[fill]align][width][.precision][s]` of Python's format mini-language, for strings. */
function compileTextSpec(spec: string): (s: string) => string {
  const m = /^(?:(.)?([<>^]))?(\d+)?(?:\.(\d+))?(s)?$/s.exec(spec);
  if (!m) throw new CliError(BAD_FORMAT, 'bad-format');
  const fill = m[1] ?? ' ';
  const align = m[2] ?? '<';
  const width = m[3] ? Number(m[3]) : 0;
  const precision = m[4] !== undefined ? Number(m[4]) : undefined;
  return (s) => {
    if (precision !== undefined) s = s.slice(0, precision);
    const missing = width - s.length;
    if (missing <= 0) return s;
    if (align === '<') return s + fill.repeat(missing);
    if (align === '>') return fill.repeat(missing) + s;
    const left = Math.floor(missing / 2);
    return fill.repeat(left) + s + fill.repeat(missing - left);
  };
}

/** Python's repr() of a str (single quotes unless the text holds one and no double quote). */
function pythonRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

import { RE2JS } from 're2js';
import { invalid } from '../errors.js';

/** A user's pattern, checked, in the syntax of the linear-time engine (RE2). */
export interface UserRegex {
  /** What the user typed. */
  readonly source: string;
  /** The RE2 translation the regex worker runs. */
  readonly pattern: string;
}

/** Longer patterns are refused: compiling is linear in the pattern, and RE2 caps repetitions. */
export const MAX_PATTERN_LENGTH = 1000;

/** POSIX bracket classes, as JavaScript class contents. */
const CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\r\\f\\v',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

/**
 * Check a user regular expression with the original's semantics: POSIX ERE, unanchored search.
 * Matching is done by RE2 (re2js), whose time is linear in the text whatever the pattern (no
 * backtracking: `(a+)+$` cannot hang anything), and only on the regex worker (regex-worker.ts).
 * RE2 is an ERE superset except for bracket expressions, translated here (`[[:digit:]]`,
 * `[]abc]`); back-references, which need backtracking, are refused. Throws the original's
 * one-line message when the expression is invalid. Compiling here is bounded by the pattern's
 * length (MAX_PATTERN_LENGTH) and RE2's repetition limit; no text is matched on this thread.
 */
export function compilePosixRegex(source: string): UserRegex {
  if (source.length > MAX_PATTERN_LENGTH) throw invalid(`Invalid regular expression: longer than ${MAX_PATTERN_LENGTH} characters.`);
  try {
    const pattern = translate(source);
    RE2JS.compile(pattern);
    return { source, pattern };
  } catch {
    throw invalid(`Invalid regular expression: ${source}.`);
  }
}

function translate(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      out += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c !== '[') {
      out += c;
      i++;
      continue;
    }
    // A bracket expression: `]` right after `[` or `[^` is a literal member.
    let j = i + 1;
    let body = '';
    if (src[j] === '^') {
      body += '^';
      j++;
    }
    if (src[j] === ']') {
      body += '\\]';
      j++;
    }
    let closed = false;
    while (j < src.length) {
      const d = src[j];
      if (d === ']') {
        closed = true;
        j++;
        break;
      }
      if (d === '[' && src[j + 1] === ':') {
        const end = src.indexOf(':]', j + 2);
        const name = end > 0 ? src.slice(j + 2, end) : '';
        if (!(name in CLASSES)) throw new SyntaxError(`unknown class ${name}`);
        body += CLASSES[name];
        j = end + 2;
        continue;
      }
      if (d === '[' && (src[j + 1] === '.' || src[j + 1] === '=')) throw new SyntaxError('collating elements are not supported');
      if (d === '\\') {
        // Kept as an escape (users write `[\d-]` as in Python or PCRE, which the original accepted too).
        body += src.slice(j, j + 2);
        j += 2;
        continue;
      }
      body += d === '[' ? '\\[' : d;
      j++;
    }
    if (!closed) throw new SyntaxError('unterminated bracket expression');
    out += `[${body}]`;
    i = j;
  }
  return out;
}

import { invalid } from '../errors.js';

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
 * Compile a user regular expression with the original's semantics: POSIX ERE, unanchored search.
 * JavaScript regexps are an ERE superset except for bracket expressions, which are translated here
 * (`[[:digit:]]`, `[]abc]`). Throws the original's
 * one-line message when the expression is invalid.
 */
export function compilePosixRegex(source: string): RegExp {
  try {
    return new RegExp(translate(source));
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

/**
 * Split SQL text into statements at the semicolons outside quotes and comments (what a prompt
 * accumulates until a statement is complete). Returns the complete statements and the unfinished rest.
 */
export function splitStatements(text: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) break;
      i = end + 1;
    } else if (c === ';') {
      const s = text.slice(start, i).trim();
      if (s) statements.push(s);
      start = i + 1;
    }
  }
  return { statements, rest: text.slice(start) };
}

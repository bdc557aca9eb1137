/**
 * A reader for the simple YAML the client config file almost always holds (what `walt` writes:
 * comments, `walt:` and indented `key: value` lines with plain text values), so that a listing command
 * does not load the whole YAML library at start-up (about 0.07 s of CPU, more than Node's own start).
 * It returns undefined for anything else (quotes, lists, deeper nesting, values YAML would read as a
 * number, boolean or null...): the caller then parses with the YAML library, so the result is always
 * the library's.
 */
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_./@:-]*$/;
/** Plain scalars the YAML 1.2 core schema reads as something else than a string. */
const NOT_A_STRING = [
  /^[-+]?[0-9]+$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/,
  /^(true|True|TRUE|false|False|FALSE|null|Null|NULL)$/,
];

export function readSimpleYamlConfig(text: string): Record<string, unknown> | undefined {
  const doc: Record<string, unknown> = {};
  /** The top-level key whose indented lines are being read, and their indentation. */
  let parent: string | undefined;
  let section: Record<string, string> = {};
  let sectionIndent: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (line.slice(0, indent).includes('\t')) return undefined;
    const colon = trimmed.indexOf(':');
    if (colon < 0) return undefined;
    const key = trimmed.slice(0, colon);
    const rest = trimmed.slice(colon + 1);
    if (!KEY.test(key) || (rest && !rest.startsWith(' '))) return undefined;
    const value = rest.trim();
    if (value && (!PLAIN.test(value) || value.endsWith(':') || NOT_A_STRING.some((r) => r.test(value)))) return undefined;
    if (indent === 0) {
      if (key in doc) return undefined;
      // `key:` alone is null in YAML, unless indented lines follow (then it is their mapping)
      doc[key] = value || null;
      parent = value ? undefined : key;
      section = {};
      sectionIndent = undefined;
      continue;
    }
    if (parent === undefined || !value || key in section) return undefined;
    sectionIndent ??= indent;
    if (indent !== sectionIndent) return undefined;
    section[key] = value;
    doc[parent] = section;
  }
  return doc;
}

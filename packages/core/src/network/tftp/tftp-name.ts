/**
 * Checks a requested TFTP name before anything resolves it. Escape attempts are refused here, so
 * protocols only ever see relative names with no '..' segment.
 */
export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

export function checkRequestedName(raw: string): NameCheck {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\x00-\x1f\x7f]/.test(raw)) return { ok: false, reason: 'control character in file name' };
  const name = raw.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return { ok: false, reason: 'absolute path' };
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) return { ok: false, reason: "'..' in path" };
  const clean = segments.filter((s) => s !== '' && s !== '.').join('/');
  if (!clean) return { ok: false, reason: 'empty file name' };
  if (clean.length > 1024) return { ok: false, reason: 'file name too long' };
  return { ok: true, name: clean };
}

/**
 * Collects configuration problems as "<key>: <what is wrong> (<how to fix>)", so that one edit can
 * fix them all and every message names the key.
 */
export type Problem = (key: string, message: string) => void;

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Report every key of `value` that is not in `known`, naming the known ones. */
export function checkKnownKeys(prefix: string, value: Record<string, unknown>, known: readonly string[], p: Problem): void {
  for (const k of Object.keys(value)) {
    if (!known.includes(k)) p(prefix ? `${prefix}.${k}` : k, `unknown key (known keys: ${known.join(', ')})`);
  }
}

export function isWholeNumber(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A value quoted for a message: strings in quotes, the rest as JSON. */
export function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The original's `format_sentence`, for messages that name devices: "Node rpi-a is ...",
 * "Nodes rpi-a and rpi-b are ...", "7 nodes are ..." (more than 5 names are counted, not listed).
 * In `template`, `%s` is the subject (label + names) and `{singular|plural}` picks a form.
 */
export function formatSentence(template: string, names: readonly string[], label: { singular: string; plural: string }): string {
  const plural = names.length !== 1;
  const sorted = [...names].sort();
  let subject: string;
  if (sorted.length > 5) subject = `${sorted.length} ${label.plural}`;
  else subject = `${plural ? label.plural : label.singular} ${listNames(sorted)}`;
  let out = template.replace(/\{([^|{}]*)\|([^|{}]*)\}/g, (_m, s: string, p: string) => (plural ? p : s));
  const at = out.indexOf('%s');
  if (at === 0) subject = subject[0].toUpperCase() + subject.slice(1);
  if (at >= 0) out = out.slice(0, at) + subject + out.slice(at + 2);
  return out;
}

/** "a", "a and b", "a, b and c". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export const NODE_LABEL = { singular: 'node', plural: 'nodes' };
export const DEVICE_LABEL = { singular: 'device', plural: 'devices' };
export const SWITCH_LABEL = { singular: 'switch', plural: 'switches' };

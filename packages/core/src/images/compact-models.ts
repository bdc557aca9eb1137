/**
 * The compact form of a list of models that `walt image show` prints (the original's autoglob):
 * models sharing a dash-ended prefix are grouped, e.g. rpi-b, rpi-b-plus, rpi-2-b, qemu-arm-32,
 * qemu-arm-64 → `rpi-[b,b-plus,2-b],qemu-arm-[32,64]`. Order of first appearance is kept.
 */
export function compactModels(models: readonly string[]): string {
  if (!models.length) return 'N/A';
  const groups = new Map<string, string[]>();
  for (const m of models) {
    const head = m.includes('-') ? m.slice(0, m.indexOf('-')) : m;
    const g = groups.get(head) ?? [];
    if (!g.includes(m)) g.push(m);
    groups.set(head, g);
  }
  return [...groups.values()].map(glob).join(',');
}

function glob(items: string[]): string {
  if (items.length === 1) return items[0];
  let prefix = items[0];
  for (const s of items) while (!s.startsWith(prefix)) prefix = prefix.slice(0, -1);
  // Cut at the last dash so suffixes are whole words (rpi-[b,b-plus], not rpi-b[,-plus]).
  prefix = prefix.slice(0, prefix.lastIndexOf('-') + 1);
  if (!prefix || items.some((s) => s.length === prefix.length)) return items.join(',');
  return `${prefix}[${items.map((s) => s.slice(prefix.length)).join(',')}]`;
}

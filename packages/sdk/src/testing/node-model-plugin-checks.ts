import { defaultImageOf } from '../node-model.js';
import type { WaltPlugin } from '../plugin.js';
import { createTestContext } from './test-context.js';

/** What a node-model plugin should contribute for one of its models. */
export interface ExpectedNodeModel {
  bootProtocol: string;
  bootFiles: readonly string[];
  poePowered?: boolean;
  /** MAC prefixes the model's firmware netboots from (empty when it identifies itself by DHCP class). */
  macPrefixes?: readonly string[];
  /** Defaults to `waltplatform/<id>-default:latest`. */
  defaultImage?: string;
}

/**
 * Check a node-model plugin the way the host would load it: exactly the expected models (ids,
 * boot protocol, boot files, PoE capability, MAC prefixes, default image), nothing but node models and
 * help topics, and one install topic (`install-<name>`, titled, naming every model and how to find the
 * new node). Returns the problems found, empty when the plugin is right; usable from any test runner.
 */
export async function checkNodeModelPlugin(plugin: WaltPlugin, expected: Readonly<Record<string, ExpectedNodeModel>>): Promise<string[]> {
  const problems: string[] = [];
  const c = await createTestContext().register(plugin);
  const ids = c.nodeModels.map((m) => m.id).sort();
  const want = Object.keys(expected).sort();
  if (ids.join(',') !== want.join(',')) problems.push(`models are [${ids.join(', ')}], expected [${want.join(', ')}]`);
  for (const m of c.nodeModels) {
    const e = expected[m.id];
    if (!e) continue;
    const p = (what: string) => problems.push(`${m.id}: ${what}`);
    if (m.bootProtocol !== e.bootProtocol) p(`boot protocol '${m.bootProtocol}', expected '${e.bootProtocol}'`);
    if (m.bootFiles.join(',') !== e.bootFiles.join(',')) p(`boot files [${m.bootFiles.join(', ')}], expected [${e.bootFiles.join(', ')}]`);
    if ((m.capabilities?.poePowered ?? false) !== (e.poePowered ?? false)) p(`poePowered is ${m.capabilities?.poePowered ?? false}`);
    const prefixes = (m.macPrefixes ?? []).join(',');
    if (prefixes !== (e.macPrefixes ?? []).join(',')) p(`MAC prefixes [${prefixes}], expected [${(e.macPrefixes ?? []).join(',')}]`);
    const image = e.defaultImage ?? `waltplatform/${m.id}-default:latest`;
    if (defaultImageOf(m) !== image) p(`default image ${defaultImageOf(m)}, expected ${image}`);
  }
  if (c.bootProtocols.length || c.switchDrivers.length) problems.push('a node-model plugin should contribute no boot protocol and no switch driver');
  if (c.helpTopics.length !== 1) problems.push(`expected one install help topic, got ${c.helpTopics.length}`);
  for (const t of c.helpTopics) {
    if (!/^install-[a-z0-9-]+$/.test(t.name)) problems.push(`help topic '${t.name}' should be named install-<something>`);
    if (!t.markdown.startsWith(`# ${t.title}`)) problems.push(`help topic '${t.name}' should start with its title as a heading`);
    for (const id of want) if (!t.markdown.includes(id)) problems.push(`help topic '${t.name}' does not name model ${id}`);
    if (!t.markdown.includes('walt node show --all')) problems.push(`help topic '${t.name}' does not say how to find the new node (walt node show --all)`);
  }
  return problems;
}

import { postWithOwnershipConfirmation } from '../commands/node/ownership-confirmation.js';
import { CliError } from '../cli-error.js';
import type { ApiClient } from './api-client.js';

/**
 * The nodes a command reaches, checked by the server once: booted, and the user's own or free
 * (others' nodes: the original's confirmation, or --yes). `single`: exactly one node.
 */
export async function nodeTargets(api: ApiClient, set: string, options: { yes?: boolean; single?: boolean } = {}): Promise<string[]> {
  const { nodes } = await postWithOwnershipConfirmation<{ nodes: string[] }>(api, '/api/v1/nodes/targets', { set }, options.yes === true);
  if (!nodes.length) throw new CliError(`no node matches '${set}'.`, 'no-nodes');
  if (options.single && nodes.length > 1) throw new CliError('this command must target 1 node only.', 'one-node-only');
  return nodes;
}

/** A session path for one node, the checks above already passed (ownership confirmed). */
export function nodeSessionPath(node: string, action: string, params: Record<string, string | string[]> = {}): string {
  const query = new URLSearchParams({ confirmed: '1' });
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
  return `/api/v1/nodes/${encodeURIComponent(node)}/${action}?${query}`;
}

/** The local terminal's size and type, for a remote pty. */
export function terminalParams(): Record<string, string> {
  return { cols: String(process.stdout.columns || 80), rows: String(process.stdout.rows || 24), 'term-type': process.env.TERM || 'xterm' };
}

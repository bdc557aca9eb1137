import type { Command } from 'commander';
import type { NodeSummary } from '@walt/core';
import type { CliContext } from '../../cli-context.js';
import { columnate, paragraph, printJson } from '../../output/table.js';

/** A node as GET /api/v1/nodes gives it (a type-only import: the client never loads the server's code). */
export type NodeJson = NodeSummary;

/** The original's three sections and footnotes (server/.../nodes/show.py). */
export function formatNodeShow(nodes: readonly NodeJson[], all: boolean): string {
  const own = nodes.filter((n) => n.ownership === 'owned');
  const free = nodes.filter((n) => n.ownership === 'free');
  const others = nodes.filter((n) => n.ownership === 'other');
  let text = '';
  if (own.length) {
    text += paragraph(
      'You currently own the following nodes:',
      columnate(['name', 'type', 'model', 'image', 'ip', 'netsetup', 'booted'], own.map((n) => [n.name, n.type, n.model, n.imageName, n.ip, n.netsetup, n.booted])),
    );
  }
  if (all && free.length) {
    text += paragraph(
      'The following nodes are currently free:',
      columnate(['name', 'type', 'model', 'ip', 'netsetup', 'booted'], free.map((n) => [n.name, n.type, n.model, n.ip, n.netsetup, n.booted])),
    );
  }
  if (all && others.length) {
    text += paragraph(
      'The following nodes currently belong to other users:',
      columnate(
        ['name', 'type', 'model', 'image-owner', 'clonable-image-link', 'ip', 'netsetup', 'booted'],
        others.map((n) => [n.name, n.type, n.model, n.imageOwner, n.clonableImageLink, n.ip, n.netsetup, n.booted]),
      ),
    );
  }
  const shown = all ? nodes : own;
  const problems = shown.filter((n) => n.bootProblem).map((n) => `${n.name} is not booted: ${n.bootProblem}.`);
  if (problems.length) text += `${problems.join('\n')}\n\n`;
  const notes: string[] = [];
  if (!all) {
    if (!own.length) notes.push(nodes.length ? 'You currently do not own any nodes.' : 'No nodes detected!');
    if (nodes.length) notes.push('Re-run with --all to see all available nodes.');
  } else if (!nodes.length) notes.push('No nodes detected!');
  else if (!free.length && !others.length) notes.push('No other nodes were detected (apart from the ones listed above).');
  notes.push('Type `walt help show node-ownership` for help.');
  // Sections end with a blank line; the footnotes close the last one (or stand alone).
  return text ? `${text.trimEnd()}\n\n${notes.join('\n')}` : notes.join('\n');
}

/** `walt node show [--all] [--names-only] [--json]`. */
export function registerNodeShow(node: Command, ctx: CliContext): void {
  node
    .command('show')
    .description("display your nodes (--all: free nodes and others' too)")
    .option('--all', 'show all nodes')
    .option('--names-only', 'print names only, one per line')
    .option('--json', 'print as JSON')
    .action(async (opts: { all?: boolean; namesOnly?: boolean; json?: boolean }) => {
      const api = await ctx.api();
      const { nodes } = await api.get<{ nodes: NodeJson[] }>('/api/v1/nodes');
      const shown = opts.all ? nodes : nodes.filter((n) => n.ownership === 'owned');
      if (opts.json) return printJson(shown);
      if (opts.namesOnly) {
        if (shown.length) ctx.out(shown.map((n) => n.name).join('\n'));
        return;
      }
      ctx.out(formatNodeShow(nodes, !!opts.all));
    });
}

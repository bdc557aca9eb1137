import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { listLocalTopics, readLocalTopic, renderMarkdown, type TopicSummary } from '../../help/help-topics.js';

/** Topics shipped by plugins, from the server, when one is configured and answers. */
async function serverTopics(ctx: CliContext): Promise<TopicSummary[]> {
  if (!process.env.WALT_SERVER && !process.stdout.isTTY) return [];
  try {
    const api = await ctx.api();
    return (await api.get<{ topics: TopicSummary[] }>('/api/v1/help-topics')).topics;
  } catch {
    return [];
  }
}

export function registerHelpCommands(program: Command, ctx: CliContext): void {
  const help = program.command('help').description('help sub-commands');
  help
    .command('show')
    .argument('[topic]', 'help topic', 'help-intro')
    .description('display help about a topic')
    .action(async (topic: string) => {
      let text = readLocalTopic(topic);
      if (text === undefined && (await serverTopics(ctx)).some((t) => t.name === topic)) {
        const api = await ctx.api();
        text = (await api.get<{ markdown?: string }>(`/api/v1/help-topics/${encodeURIComponent(topic)}`)).markdown;
      }
      if (text === undefined) throw new CliError(`Sorry, no such help topic '${topic}'. (tip: use "walt help list")`);
      ctx.out(renderMarkdown(text, !!process.stdout.isTTY));
    });
  help
    .command('list')
    .description('list the help topics')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const topics = [...listLocalTopics()];
      for (const t of await serverTopics(ctx)) if (!topics.some((x) => x.name === t.name)) topics.push(t);
      topics.sort((a, b) => a.name.localeCompare(b.name));
      if (opts.json) return ctx.out(JSON.stringify(topics, null, 2));
      const width = Math.max(...topics.map((t) => t.name.length), 0);
      ctx.out(['The following help topics are available:', ...topics.map((t) => `  ${t.name.padEnd(width)} -- ${t.title}`)].join('\n'));
    });
}

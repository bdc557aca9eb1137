import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import { hasServerConfigured } from '../../client/client-config.js';
import { listLocalTopics, readLocalTopic, renderMarkdown, type TopicSummary } from '../../help/help-topics.js';
import { printJson } from '../../output/table.js';

/** Plugin topics come from the server; help must stay fast and offline-friendly, so this waits a few seconds at most. */
const SERVER_TOPICS_TIMEOUT_MS = 3000;

/** Ask the server, when one is configured (never prompt for settings just to show help); undefined when it does not answer. */
async function fromServer<T>(ctx: CliContext, path: string): Promise<T | undefined> {
  if (!hasServerConfigured()) return undefined;
  try {
    const api = await ctx.api();
    return await api.get<T>(path, AbortSignal.timeout(SERVER_TOPICS_TIMEOUT_MS));
  } catch {
    return undefined;
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
      if (text === undefined && /^[a-z0-9][a-z0-9-]*$/.test(topic)) {
        const answer = await fromServer<{ markdown?: string }>(ctx, `/api/v1/help-topics/${encodeURIComponent(topic)}`);
        text = typeof answer?.markdown === 'string' ? answer.markdown : undefined;
      }
      if (text === undefined) throw new CliError(`Sorry, no such help topic '${topic}'. (tip: use "walt help list")`, 'not-found');
      ctx.out(renderMarkdown(text, !!process.stdout.isTTY));
    });
  help
    .command('list')
    .description('list the help topics')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const topics: TopicSummary[] = [...listLocalTopics()];
      const remote = (await fromServer<{ topics?: TopicSummary[] }>(ctx, '/api/v1/help-topics'))?.topics ?? [];
      for (const t of remote) if (!topics.some((x) => x.name === t.name)) topics.push({ name: t.name, title: t.title });
      topics.sort((a, b) => a.name.localeCompare(b.name));
      if (opts.json) return printJson(topics);
      const width = Math.max(...topics.map((t) => t.name.length), 0);
      ctx.out(['The following help topics are available:', ...topics.map((t) => `  ${t.name.padEnd(width)} -- ${t.title}`)].join('\n'));
    });
}

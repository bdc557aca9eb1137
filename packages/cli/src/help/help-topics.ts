import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the topic files are: $WALT_DOCS_DIR, the package's own docs/topics, or the repository's docs/topics. */
export function topicsDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const dirs = [process.env.WALT_DOCS_DIR, join(here, '..', '..', 'docs', 'topics'), join(here, '..', '..', '..', '..', 'docs', 'topics')];
  return dirs.filter((d): d is string => !!d && existsSync(d));
}

export interface TopicSummary {
  name: string;
  title: string;
}

/** The first heading of a markdown text. */
export function titleOf(markdown: string): string {
  const m = /^#+\s+(.+)$/m.exec(markdown);
  return m ? m[1].trim() : '';
}

export function listLocalTopics(): TopicSummary[] {
  const seen = new Map<string, TopicSummary>();
  for (const dir of topicsDirs()) {
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.md')) continue;
      const name = f.slice(0, -3);
      if (!seen.has(name)) seen.set(name, { name, title: titleOf(readFileSync(join(dir, f), 'utf8')) });
    }
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function readLocalTopic(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return undefined;
  for (const dir of topicsDirs()) {
    const f = join(dir, `${name}.md`);
    if (existsSync(f)) return readFileSync(f, 'utf8');
  }
  return undefined;
}

/** Light terminal rendering: headings in bold, code fences dropped; raw markdown when not a TTY. */
export function renderMarkdown(markdown: string, tty: boolean): string {
  if (!tty) return markdown;
  return markdown
    .split('\n')
    .filter((l) => !l.startsWith('```'))
    .map((l) => (/^#+\s/.test(l) ? `\x1b[1m${l.replace(/^#+\s+/, '')}\x1b[0m` : l))
    .join('\n');
}

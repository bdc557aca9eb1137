import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { CliContext } from '../../cli-context.js';
import { CliError } from '../../cli-error.js';
import type { ApiClient } from '../../client/api-client.js';
import { columnate } from '../../output/table.js';
import { splitStatements } from './sql-statements.js';

interface SqlAnswer {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

async function runStatement(api: ApiClient, sql: string): Promise<string> {
  const r = await api.post<SqlAnswer>('/api/v1/advanced/sql', { sql });
  if (!r.columns.length) return 'OK';
  const count = `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'}${r.truncated ? ', more were left out' : ''})`;
  return `${columnate(r.columns, r.rows)}\n${count}`;
}

/** A terminal: the original's SQL prompt, statements ended by ';', errors shown and the prompt goes on. */
async function prompt(api: ApiClient): Promise<void> {
  process.stdout.write("Read-only SQL prompt on the WalT server database (statements end with ';', \\q or ctrl-D quits; see walt help show advanced-sql).\n");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  let pending = '';
  rl.setPrompt('walt=> ');
  rl.prompt();
  for await (const line of rl) {
    if (!pending && line.trim() === '\\q') break;
    const { statements, rest } = splitStatements(`${pending}${line}\n`);
    pending = rest.trim() ? rest : '';
    for (const s of statements) {
      try {
        process.stdout.write(`${await runStatement(api, s)}\n`);
      } catch (e) {
        process.stderr.write(`Error: ${(e as Error).message}\n`);
      }
    }
    rl.setPrompt(pending ? 'walt-> ' : 'walt=> ');
    rl.prompt();
  }
  rl.close();
}

/** Not a terminal (a script): every statement of stdin in turn; the first failure stops with a non-zero exit. */
async function script(api: ApiClient, text: string, ctx: CliContext): Promise<void> {
  const { statements, rest } = splitStatements(text);
  if (rest.trim()) statements.push(rest.trim());
  if (!statements.length) throw new CliError("no SQL statement given (walt advanced sql '<statement>', or statements on standard input)", 'usage');
  for (const s of statements) ctx.out(await runStatement(api, s));
}

/**
 * `walt advanced sql [statement]`: read-only SQL on the server's database. With a statement, or SQL
 * on a non-terminal standard input, it runs them; on a terminal it is a prompt, as the original.
 */
export function registerSql(advanced: Command, ctx: CliContext): void {
  advanced
    .command('sql [statement]')
    .description('start a remote SQL prompt on the WalT server database (read-only)')
    .action(async (statement: string | undefined) => {
      const api = await ctx.api();
      if (statement !== undefined) return script(api, statement, ctx);
      if (process.stdin.isTTY) return prompt(api);
      let text = '';
      for await (const chunk of process.stdin) text += chunk;
      return script(api, text, ctx);
    });
}

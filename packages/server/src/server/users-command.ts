import { join } from 'node:path';
import type { Command } from 'commander';
import { USER_NAME, UserTokens, loadOrCreateServerCertificate, openDatabase, type TokenMode } from '@walt/core';
import { CliError } from '@walt/cli/cli-error';
import { columnate, printJson } from '@walt/cli/output/table';
import { loadConfigOrFail, type ServerOptions } from './start-command.js';

/**
 * `walt-server users list | issue | reset | mode`: the administrator's side of the tokens (see
 * `walt help show security`). Works on the data dir's database, server running or not: the server
 * reads the tokens and the mode from the database on every request.
 */
export function registerUsersCommands(users: Command): void {
  const withServerOptions = (cmd: Command) =>
    cmd
      .option('--config <file>', 'configuration file (default: /etc/walt/server.conf, else embedded defaults)')
      .option('--data-dir <dir>', 'data directory (default: from the config, else a user data dir)');
  const open = (opts: ServerOptions) => {
    const config = loadConfigOrFail(opts);
    return { config, tokens: new UserTokens(openDatabase(join(config.dataDir, 'walt.db'))) };
  };
  const checkName = (name: string) => {
    if (!USER_NAME.test(name)) throw new CliError(`invalid user name '${name.slice(0, 40)}': use at most 32 lowercase letters, digits, '_' and '-'`);
  };

  withServerOptions(users.command('list').description('list users, how they got their token, and the token mode'))
    .option('--json', 'print as JSON')
    .action((opts: ServerOptions & { json?: boolean }) => {
      const { tokens } = open(opts);
      const rows = tokens.list();
      if (opts.json) return printJson({ mode: tokens.mode(), users: rows });
      const when = (t: number) => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 19);
      const table = rows.length ? columnate(['name', 'token', 'since'], rows.map((r) => [r.name, r.origin === 'claim' ? 'claimed' : 'issued by admin', when(r.createdAt)])) : 'No user has a token yet.';
      process.stdout.write(`${table}\nToken mode: ${describeMode(tokens.mode())}\n`);
    });

  withServerOptions(users.command('issue <name>').description("give a user a new token (printed once; the user sets it as WALT_TOKEN or answers walt's prompt)")).action(
    (name: string, opts: ServerOptions) => {
      checkName(name);
      const { tokens } = open(opts);
      process.stdout.write(`${tokens.issue(name)}\n`);
      process.stderr.write(`Token of ${name} issued: any older one stops working. Give it to ${name} over a private channel.\n`);
    },
  );

  withServerOptions(users.command('reset <name>').description("forget a user's token (in claim mode, the next walt client using the name claims it again)")).action(
    (name: string, opts: ServerOptions) => {
      checkName(name);
      const { tokens } = open(opts);
      if (!tokens.reset(name)) throw new CliError(`no user named '${name}' has a token (walt-server users list)`);
      const next = tokens.mode() === 'claim' ? `the next walt client using the name ${name} claims it` : `issue a new one with walt-server users issue ${name}`;
      process.stdout.write(`Token of ${name} forgotten: ${next}.\n`);
    },
  );

  withServerOptions(users.command('mode [mode]').description("show or set the token mode: 'claim' (trust on first use, default) or 'admin' (claims refused)")).action(
    (mode: string | undefined, opts: ServerOptions) => {
      const { tokens } = open(opts);
      if (mode !== undefined) {
        if (mode !== 'claim' && mode !== 'admin') throw new CliError(`unknown token mode '${mode}': expected claim or admin`);
        tokens.setMode(mode);
      }
      process.stdout.write(`Token mode: ${describeMode(tokens.mode())}\n`);
    },
  );

  withServerOptions(users.command('certificate').description('print the fingerprint of the API certificate (what clients pin)')).action((opts: ServerOptions) => {
    const config = loadConfigOrFail(opts);
    process.stdout.write(`${loadOrCreateServerCertificate(config.dataDir).fingerprint}\n`);
  });
}

function describeMode(mode: TokenMode): string {
  return mode === 'claim' ? 'claim (a free user name gets its token on first use)' : 'admin (tokens are issued with walt-server users issue <name>)';
}

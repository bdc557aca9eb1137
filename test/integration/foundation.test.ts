import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, WALT_BIN, runNode, type ServerHandle } from '../helpers/walt-processes.js';

describe('walt-server on embedded defaults, walt CLI against it', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('lists walt-server, type server, in walt device show --json', async () => {
    const r = await server.walt(['device', 'show', '--json']);
    expect(r.code).toBe(0);
    const devices = JSON.parse(r.stdout) as Array<{ name: string; type: string }>;
    expect(devices).toContainEqual(expect.objectContaining({ name: 'walt-server', type: 'server' }));
  });

  it('shows the table of devices', async () => {
    const r = await server.walt(['device', 'show']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('The WalT network contains the following devices:');
    expect(r.stdout).toMatch(/walt-server\s+192\.168\.152\.1\s+[0-9a-f:]{17}\s+server/);
  });

  it('refuses an unknown command with one line and a non-zero exit', async () => {
    const r = await server.walt(['frobnicate']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('refuses a missing argument with one line and a non-zero exit', async () => {
    const r = await server.walt(['device', 'rename', 'only-one']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("missing required argument");
  });
});

describe('walt CLI without a server', () => {
  it('says the server is unreachable, in one line, with a non-zero exit', async () => {
    const r = await runNode(WALT_BIN, ['device', 'show'], { env: { WALT_SERVER: '127.0.0.1:1', WALT_USER: 'alice' } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('Network connection to WalT server failed!');
  });

  it('renders help topics without a server', async () => {
    const r = await runNode(WALT_BIN, ['help', 'show', 'networking'], { env: { WALT_SERVER: '', WALT_USER: 'alice' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('walt-net');
  });

  const walt = (args: string[]) => runNode(WALT_BIN, args, { env: { WALT_SERVER: '127.0.0.1:1', WALT_USER: 'alice' } });
  const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

  it('`walt` alone prints the categories on stdout and exits 0', async () => {
    const r = await walt([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Categories:');
    for (const category of ['image', 'node', 'log', 'device', 'advanced', 'help']) expect(r.stdout).toMatch(new RegExp(`^  ${category}\\s`, 'm'));
  });

  it('refuses an unknown option in one line, with a non-zero exit', async () => {
    for (const args of [['--bogus'], ['device', 'show', '--bogus'], ['node', 'show', '--colour']]) {
      const r = await walt(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      oneLine(r.stderr);
      expect(r.stderr).toMatch(/^Error: unknown option '--(bogus|colour)'/);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses a wrong category in one line, suggesting the right one', async () => {
    const r = await walt(['nodes', 'show']);
    expect(r.code).not.toBe(0);
    oneLine(r.stderr);
    expect(r.stderr).toContain("unknown command 'nodes'");
    expect(r.stderr).toContain('Did you mean node?');
  });

  it('refuses an unknown sub-command of a category in one line', async () => {
    const r = await walt(['device', 'frobnicate']);
    expect(r.code).not.toBe(0);
    oneLine(r.stderr);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('a category alone lists its sub-commands, then says one is missing (one line on stderr, non-zero exit)', async () => {
    const r = await walt(['device']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('show');
    expect(r.stdout).toContain('rename');
    oneLine(r.stderr);
    expect(r.stderr).toContain("'walt device' needs a sub-command");
  });

  it('refuses too many arguments in one line', async () => {
    const r = await walt(['device', 'show', 'extra']);
    expect(r.code).not.toBe(0);
    oneLine(r.stderr);
    expect(r.stderr).toContain('too many arguments');
  });

  it('an unknown help topic is one line and a non-zero exit; help list needs no server', async () => {
    const r = await walt(['help', 'show', 'no-such-topic']);
    expect(r.code).not.toBe(0);
    oneLine(r.stderr);
    expect(r.stderr).toContain("no such help topic 'no-such-topic'");
    const list = await walt(['help', 'list', '--json']);
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as Array<{ name: string }>).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['help-intro', 'networking', 'node-install', 'server-network-config']));
  });

  it('--help and --version exit 0', async () => {
    expect((await walt(['--help'])).code).toBe(0);
    expect((await walt(['device', '--help'])).code).toBe(0);
    const v = await walt(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});


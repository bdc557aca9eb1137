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
});

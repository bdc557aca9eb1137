import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';

/** The real daemon started as systemd starts it (JOURNAL_STREAM set): its platform lines carry sd-daemon priorities. */
describe('walt-server under systemd writes journal priorities', () => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await startServer({ env: { JOURNAL_STREAM: '8:424242', INVOCATION_ID: '' } });
  });
  afterAll(async () => {
    await server?.stop({ cleanup: true });
  });

  it('prefixes platform lines with <6> and no line is unprefixed', async () => {
    const platform = server.output().split('\n').filter((l) => l.includes('platform.'));
    expect(platform.length).toBeGreaterThan(0);
    for (const l of platform) expect(l).toMatch(/^<[36]>(ERROR )?platform\./);
    expect(platform.some((l) => l.startsWith('<6>platform.'))).toBe(true);
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, WALT_BIN, WALT_SERVER_BIN } from '../../helpers/walt-processes.js';

describe('walt-server start with a bad config', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'walt-badconf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[name: string, text: string, key: string]> = [
    ['walt-net ip without prefix', 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1\n', 'network.walt-net.ip'],
    ['a misspelled key', 'network:\n  walt-net: {raw-device: null, ip: 192.168.152.1/24}\napi: {prot: 0}\n', 'api.prot'],
    ['not YAML', 'network: {walt-net: [\n', 'not valid YAML or JSON'],
    ['no network', 'api: {port: 0}\n', 'network'],
  ];

  it.each(cases)('%s: one line naming the key, non-zero exit, nothing created', async (_name, text, key) => {
    const file = join(dir, `bad-${key.replace(/\W/g, '_')}.conf`);
    const dataDir = join(dir, `data-${key.replace(/\W/g, '_')}`);
    writeFileSync(file, text);
    const r = await runNode(WALT_SERVER_BIN, ['start', '--config', file, '--data-dir', dataDir]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Invalid configuration at '${file}'`);
    expect(lines[0]).toContain(key);
    expect(lines[0]).toContain(`walt-server-setup --edit-conf --config ${file}`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a missing --config file is one line and a non-zero exit', async () => {
    const r = await runNode(WALT_SERVER_BIN, ['start', '--config', join(dir, 'absent.conf'), '--data-dir', join(dir, 'd')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('file not found');
  });
});

/** Without --config and without /etc/walt/server.conf, the server finds .waltrc.yaml in its working directory. */
describe.skipIf(existsSync('/etc/walt/server.conf'))('walt-server start finds a cosmiconfig file in its working directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'walt-cosmi-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads .waltrc.yaml and serves with its walt-net address', async () => {
    writeFileSync(join(dir, '.waltrc.yaml'), 'network:\n  walt-net:\n    raw-device: null\n    ip: 10.77.0.1/16\napi:\n  port: 0\n');
    const child = spawn(process.execPath, [WALT_SERVER_BIN, 'start', '--data-dir', join(dir, 'data')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in time: ${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`server exited with ${code}: ${out}`));
        });
      });
      expect(out).toContain(`config: ${join(dir, '.waltrc.yaml')}`);
      const r = await runNode(WALT_BIN, ['device', 'show', '--json'], { env: { WALT_SERVER: `127.0.0.1:${port}`, WALT_USER: 'alice', WALT_CONFIG_FILE: join(dir, 'client-config') } });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toContainEqual(expect.objectContaining({ name: 'walt-server', ip: '10.77.0.1' }));
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { findConfigFile, loadServerConfig } from './load-config.js';

const WALT_NET = (ip: string) => `network:\n  walt-net:\n    raw-device: null\n    ip: ${ip}\n`;

describe('loadServerConfig: which file wins', () => {
  let dir: string;
  let noSystemFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'walt-config-'));
    noSystemFile = join(dir, 'etc-walt-server.conf-absent');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs on the embedded defaults when there is no file at all', () => {
    const config = loadServerConfig({ systemFile: noSystemFile, searchFrom: dir, dataDir: join(dir, 'data') });
    expect(config.source).toBe('embedded defaults');
    expect(config.network.waltNet).toEqual({ rawDevice: null, ip: '192.168.152.1/24' });
    expect(config.api).toEqual({ host: '127.0.0.1', port: 12345 });
    expect(config.dataDir).toBe(join(dir, 'data'));
  });

  it('finds a cosmiconfig file (module name walt) in the working directory', () => {
    for (const [name, text] of [
      ['.waltrc', WALT_NET('10.1.0.1/16')],
      ['.waltrc.json', '{\n  # JSON with a comment\n  "network": {"walt-net": {"raw-device": null, "ip": "10.2.0.1/16"}}\n}\n'],
      ['.waltrc.yaml', WALT_NET('10.3.0.1/16')],
      ['.config/waltrc.yml', WALT_NET('10.4.0.1/16')],
      ['walt.config.yaml', WALT_NET('10.5.0.1/16')],
    ] as const) {
      const sub = mkdtempSync(join(dir, 'cwd-'));
      mkdirSync(join(sub, '.config'));
      writeFileSync(join(sub, name), text);
      const config = loadServerConfig({ systemFile: noSystemFile, searchFrom: sub });
      expect(config.source).toBe(join(sub, name));
      expect(config.network.waltNet.ip).toMatch(/^10\.\d\.0\.1\/16$/);
      expect(findConfigFile({ systemFile: noSystemFile, searchFrom: sub })).toBe(join(sub, name));
    }
  });

  it('ignores package.json (plugin packages have a "walt" block of their own)', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'walt-plugin-x', walt: { apiVersion: 1 } }));
    expect(loadServerConfig({ systemFile: noSystemFile, searchFrom: dir }).source).toBe('embedded defaults');
  });

  it('refuses a malformed cosmiconfig file, naming the file and the key', () => {
    writeFileSync(join(dir, '.waltrc.yaml'), 'network:\n  walt-net: {raw-device: null, ip: 10.0.0.1}\n');
    expect(() => loadServerConfig({ systemFile: noSystemFile, searchFrom: dir })).toThrow(/\.waltrc\.yaml'.*network\.walt-net\.ip/);
  });

  it('prefers /etc/walt/server.conf to a cosmiconfig file', () => {
    const system = join(dir, 'server.conf');
    writeFileSync(system, WALT_NET('192.168.183.1/24'));
    writeFileSync(join(dir, '.waltrc'), WALT_NET('10.1.0.1/16'));
    const config = loadServerConfig({ systemFile: system, searchFrom: dir });
    expect(config.source).toBe(system);
    expect(config.network.waltNet.ip).toBe('192.168.183.1/24');
  });

  it('--config wins over both, and --data-dir over the file', () => {
    const system = join(dir, 'server.conf');
    writeFileSync(system, WALT_NET('192.168.183.1/24'));
    const explicit = join(dir, 'mine.conf');
    writeFileSync(explicit, WALT_NET('172.16.0.1/24') + 'data-dir: /srv/walt\n');
    expect(loadServerConfig({ configFile: explicit, systemFile: system }).dataDir).toBe('/srv/walt');
    const config = loadServerConfig({ configFile: explicit, systemFile: system, dataDir: join(dir, 'd') });
    expect(config.source).toBe(explicit);
    expect(config.network.waltNet.ip).toBe('172.16.0.1/24');
    expect(config.dataDir).toBe(join(dir, 'd'));
  });

  it('refuses a missing --config file, a directory and an unreadable one with a ConfigError', () => {
    expect(() => loadServerConfig({ configFile: join(dir, 'nope.conf') })).toThrow(ConfigError);
    expect(() => loadServerConfig({ configFile: join(dir, 'nope.conf') })).toThrow(/file not found/);
    expect(() => loadServerConfig({ configFile: dir })).toThrow(/is a directory/);
  });

  it('an empty file is refused (the embedded defaults are for "no file" only)', () => {
    const empty = join(dir, 'empty.conf');
    writeFileSync(empty, '# nothing but a comment\n');
    expect(() => loadServerConfig({ configFile: empty })).toThrow(/\(top level\)/);
  });
});

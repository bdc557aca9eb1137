import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runNode } from '../../helpers/walt-processes.js';

/**
 * The packages as they would be published: `npm pack` every workspace, then install the server package
 * (from the tarballs only) into one empty prefix and the client package alone into another, and run them
 * outside the workspace. Dependencies from the public registry come from the npm cache when possible.
 */
const run = promisify(execFile);
const NPM_TIMEOUT = 20 * 60_000;

function sizeOf(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function findFiles(dir: string, match: (name: string) => boolean, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(p, match, found);
    else if (match(entry.name)) found.push(p);
  }
  return found;
}

describe('published packages: pack, install into empty prefixes, run without the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'walt-j-packages-'));
  const tarballs = join(work, 'tarballs');
  const clientPrefix = join(work, 'client');
  const serverPrefix = join(work, 'server');
  // Outside the repository, so no workspace node_modules can be found by resolution.
  const cwd = work;
  const npmEnv = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };

  beforeAll(async () => {
    mkdirSync(tarballs);
    await run('npm', ['pack', '--workspaces', '--pack-destination', tarballs], { cwd: REPO, env: npmEnv, timeout: NPM_TIMEOUT, maxBuffer: 64 << 20 }).catch(async (e) => {
      throw new Error(`npm pack failed: ${e.stderr}`);
    });
  }, NPM_TIMEOUT);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs every package under packages/ and examples/', () => {
    const names = readdirSync(tarballs).sort();
    for (const expected of ['walt-cli-1.0.0.tgz', 'walt-server-1.0.0.tgz', 'walt-core-1.0.0.tgz', 'walt-sdk-1.0.0.tgz', 'walt-tftp-native-1.0.0.tgz', 'walt-plugin-virtual-1.0.0.tgz', 'walt-plugin-switch-zyxel-1.0.0.tgz', 'walt-plugin-beaglebone-black-1.0.0.tgz']) {
      expect(names).toContain(expected);
    }
  });

  it('installs the client alone: `walt --help` lists the commands, no server code, no native build', async () => {
    // The client and the one WalT package it needs (the session frames it shares with the server).
    const client = ['walt-cli-1.0.0.tgz', 'walt-session-protocol-1.0.0.tgz'].map((n) => join(tarballs, n));
    await run('npm', ['install', '-g', '--prefer-offline', '--prefix', clientPrefix, ...client], { cwd, env: npmEnv, timeout: NPM_TIMEOUT });
    const r = await runNode(join(clientPrefix, 'bin', 'walt'), ['--help'], { cwd });
    expect(r.code).toBe(0);
    for (const category of ['image', 'node', 'log', 'device', 'advanced', 'help']) expect(r.stdout).toMatch(new RegExp(`^\\s+${category}\\s`, 'm'));
    const help = await runNode(join(clientPrefix, 'bin', 'walt'), ['help', 'show'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('# WalT help');
    const modules = join(clientPrefix, 'lib', 'node_modules');
    expect(existsSync(join(modules, '@walt', 'core'))).toBe(false);
    expect(existsSync(join(modules, '@walt', 'cli', 'node_modules', '@walt', 'core'))).toBe(false);
    expect(findFiles(clientPrefix, (n) => n.endsWith('.node') || n === 'binding.gyp')).toEqual([]);
    const bytes = sizeOf(clientPrefix);
    console.log(`client install size (npm install -g @walt/cli): ${(bytes / 1024).toFixed(0)} KiB`);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
  }, NPM_TIMEOUT);

  it('installs the server package from the tarballs: `walt-server start` serves `walt device show`', async () => {
    const ours = readdirSync(tarballs).filter((n) => !n.startsWith('walt-plugin-beaglebone') && !n.startsWith('walt-plugin-switch-zyxel'));
    await run('npm', ['install', '-g', '--prefer-offline', '--allow-scripts=@walt/tftp-native,better-sqlite3', '--prefix', serverPrefix, ...ours.map((n) => join(tarballs, n))], {
      cwd,
      env: npmEnv,
      timeout: NPM_TIMEOUT,
    });
    const dataDir = join(work, 'data');
    const configFile = join(work, 'server.conf');
    // Embedded defaults (a config file must declare walt-net: the virtual-only default), on a free port
    // so it never collides with a real server.
    writeFileSync(configFile, 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n');
    const server = spawn(join(serverPrefix, 'bin', 'walt-server'), ['start', '--config', configFile, '--data-dir', dataDir], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout.on('data', (d) => (out += d));
    server.stderr.on('data', (d) => (out += d));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`walt-server did not start:\n${out}`)), 60_000);
        server.stdout.on('data', () => {
          const m = /listening on http:\/\/[\d.]+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        server.on('exit', (code) => reject(new Error(`walt-server exited with ${code}:\n${out}`)));
      });
      const r = await runNode(join(serverPrefix, 'bin', 'walt'), ['device', 'show', '--json'], {
        cwd,
        env: { WALT_SERVER: `127.0.0.1:${port}`, WALT_USER: 'alice', WALT_CONFIG_FILE: join(work, 'client-config-unused') },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toContainEqual(expect.objectContaining({ name: 'walt-server', type: 'server' }));
      expect(out).not.toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND/);
    } finally {
      server.kill('SIGTERM');
    }
  }, NPM_TIMEOUT);
});

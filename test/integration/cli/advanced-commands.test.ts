import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicesServer, type DevicesServer } from '../devices/devices-test-kit.js';
import { missingPrerequisites } from '../../helpers/prerequisites.js';
import { WALT_BIN } from '../../helpers/walt-processes.js';
import { userToken } from '../../helpers/api-token.js';

/**
 * `walt advanced ...`: the completion scripts generated from the commander program (loaded by a
 * real bash, completing a node name the server knows), the read-only SQL prompt (a write is refused
 * and changes nothing; a runaway query is stopped; the server goes on), and fix-image-owner.
 */
describe('walt advanced: completion, sql, fix-image-owner', () => {
  let s: DevicesServer;
  let bin: string;

  beforeAll(async () => {
    s = await startDevicesServer();
    await s.register({ mac: '02:00:00:cc:00:01', ip: '127.0.0.31', vendorClass: 'walt.node.pc-x86-64' });
    await s.register({ mac: '02:00:00:cc:00:02', ip: '127.0.0.32', vendorClass: 'walt.node.pc-x86-64' });
    // `walt` on the PATH of the shells below, talking to this server.
    bin = mkdtempSync(join(tmpdir(), 'walt-completion-bin-'));
    // alice's token, as the kit's own calls use it (her name is claimed once per server).
    const token = await userToken(s.server.address, 'alice');
    writeFileSync(join(bin, 'walt'), `#!/bin/sh\nWALT_SERVER=${s.server.address} WALT_USER=alice WALT_TOKEN=${token} WALT_CONFIG_FILE=${bin}/none exec ${process.execPath} ${WALT_BIN} "$@"\n`);
    chmodSync(join(bin, 'walt'), 0o755);
  });

  afterAll(async () => {
    await s?.server.stop({ cleanup: true });
    rmSync(bin, { recursive: true, force: true });
  });

  /** What bash completes for a command line (the last word being completed). */
  const complete = (line: string[]): string[] => {
    const script = `source <(walt advanced dump-bash-autocomplete) && complete -p walt >&2 && COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}) && COMP_CWORD=${line.length - 1} && _walt && printf '%s\\n' "\${COMPREPLY[@]}"`;
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').filter(Boolean).sort();
  };

  it('the bash script loads (complete -p) and completes categories, sub-commands, options and node names from the server', () => {
    expect(complete(['walt', 'no'])).toEqual(['node']);
    expect(complete(['walt', 'image', 's'])).toEqual(['search', 'shell', 'show', 'squash']);
    expect(complete(['walt', 'image', 'build', '--from-'])).toEqual(['--from-dir', '--from-url']);
    expect(complete(['walt', 'node', 'boot', 'node-cc'])).toEqual(['node-cc0001', 'node-cc0002']);
    expect(complete(['walt', 'node', 'boot', ''])).toEqual(expect.arrayContaining(['my-nodes', 'all-nodes', 'free-nodes', 'node-cc0001']));
    // A node set: the name after the last comma.
    expect(complete(['walt', 'node', 'reboot', 'node-cc0001,node-cc0'])).toEqual(['node-cc0001,node-cc0001', 'node-cc0001,node-cc0002']);
    expect(complete(['walt', 'node', 'boot', 'node-cc0001', 'def'])).toEqual(['default']);
    expect(complete(['walt', 'help', 'show', 'node-ow'])).toEqual(['node-ownership']);
    // The hidden command is not offered.
    expect(complete(['walt', 'advanced', ''])).not.toContain('complete-names');
  });

  it('a server that does not answer completes nothing, silently', () => {
    const dead = mkdtempSync(join(tmpdir(), 'walt-completion-dead-'));
    try {
      writeFileSync(join(dead, 'walt'), `#!/bin/sh\nWALT_SERVER=127.0.0.1:9 WALT_USER=alice WALT_CONFIG_FILE=${dead}/none exec ${process.execPath} ${WALT_BIN} "$@"\n`);
      chmodSync(join(dead, 'walt'), 0o755);
      const out = execFileSync('bash', ['-c', `source <(walt advanced dump-bash-autocomplete) && COMP_WORDS=(walt node shell '') && COMP_CWORD=3 && _walt 2>&1; echo "[\${COMPREPLY[*]}]"`], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dead}:${process.env.PATH}` },
      });
      expect(out).toBe('[]\n');
    } finally {
      rmSync(dead, { recursive: true, force: true });
    }
  });

  it.skipIf(missingPrerequisites({ commands: ['zsh'] }).length > 0 && process.env.CI !== 'true')('the zsh script is valid zsh', () => {
    const script = execFileSync(process.execPath, [WALT_BIN, 'advanced', 'dump-zsh-autocomplete'], { encoding: 'utf8' });
    expect(script.startsWith('#compdef walt\n')).toBe(true);
    expect(script).toContain("'node:management of WalT nodes'");
    const file = join(bin, '_walt');
    writeFileSync(file, script);
    execFileSync('zsh', ['-n', file]);
  });

  it('sql runs read-only queries and refuses writes, which change nothing', async () => {
    const q = await s.walt(['advanced', 'sql', "SELECT name, ip FROM devices WHERE name LIKE 'node-cc%' ORDER BY name"]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/^name\s+ip\n-+\s+-+\nnode-cc0001\s+127\.0\.0\.31\nnode-cc0002\s+127\.0\.0\.32\n\(2 rows\)\n$/);
    for (const write of ["UPDATE devices SET name = 'x'", 'DELETE FROM devices', 'DROP TABLE devices', "ATTACH '/tmp/x.db' AS x", 'PRAGMA journal_mode = DELETE']) {
      const r = await s.walt(['advanced', 'sql', write]);
      expect(r.code, write).not.toBe(0);
      expect(r.stderr.trim(), write).toMatch(/^Error: walt advanced sql is read-only: '\w+' statements are refused/);
    }
    const piped = await s.server.walt(['advanced', 'sql'], { input: "select count(*) as n from devices where name like 'node-cc%';\nselect nosuchcolumn from devices;\n" });
    expect(piped.code).not.toBe(0);
    expect(piped.stdout).toContain('n\n-\n2\n(1 row)');
    expect(piped.stderr.trim()).toBe('Error: SQL error: no such column: nosuchcolumn');
    expect((await s.devices()).filter((d) => d.name.startsWith('node-cc')).map((d) => d.name).sort()).toEqual(['node-cc0001', 'node-cc0002']);
  });

  it('a runaway query is stopped and the server goes on answering', async () => {
    const r = await s.walt(['advanced', 'sql', 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error: the query ran for more than 10 s and was stopped');
    expect((await s.walt(['advanced', 'sql', 'select 1 as one'])).stdout).toContain('one\n---\n1');
  }, 60_000);

  it("fix-image-owner explains without the flag, then takes another user's images; refusals change nothing", async () => {
    const explain = await s.walt(['advanced', 'fix-image-owner', 'bob']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('walt advanced fix-image-owner --yes-i-know-do-it-please bob');
    // A default image is copied into a working set at its first use (here a duplicate), not by a listing.
    expect((await s.walt(['image', 'show'], 'bob')).code).toBe(0);
    expect((await s.walt(['image', 'duplicate', 'pc-x86-64-default', 'bob-work'], 'bob')).code).toBe(0);
    // alice has her own pc-x86-64-default: the whole move is refused.
    expect((await s.walt(['image', 'duplicate', 'pc-x86-64-default', 'alice-work'])).code).toBe(0);
    const taken = await s.walt(['advanced', 'fix-image-owner', '--yes-i-know-do-it-please', 'bob']);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr.trim()).toBe('Error: Cannot take the images of bob: your working set already has pc-x86-64-default (rename or remove yours first).');
    expect((await s.walt(['image', 'show', '--names-only'], 'bob')).stdout.split('\n').filter(Boolean).sort()).toEqual(['bob-work', 'pc-x86-64-default']);
    expect((await s.walt(['image', 'remove', 'pc-x86-64-default'], 'bob')).code).toBe(0);
    const ok = await s.walt(['advanced', 'fix-image-owner', '--yes-i-know-do-it-please', 'bob']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('Image bob-work now belongs to you.');
    expect((await s.walt(['image', 'show', '--names-only'])).stdout).toContain('bob-work');
    for (const [user, message] of [
      ['nobody', "Error: No image belongs to a user named 'nobody'"],
      ['alice', "Error: 'alice' is your own user name"],
      ['waltplatform', "Error: the images of 'waltplatform' are the platform's default images"],
    ]) {
      const r = await s.walt(['advanced', 'fix-image-owner', '--yes-i-know-do-it-please', user]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });
});

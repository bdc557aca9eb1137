import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientCredentials } from './client-credentials.js';
import { readClientConfigFile } from './client-config.js';
import { readSimpleYamlConfig } from './simple-yaml-config.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'walt-m-cred-'));
  dirs.push(dir);
  return join(dir, 'config');
};

describe('ClientCredentials', () => {
  it('keeps tokens per user and server, and pins per address, next to the walt settings, mode 0600', () => {
    const file = tempFile();
    writeFileSync(file, 'walt:\n    server: 10.0.0.1\n    username: alice\n');
    const c = new ClientCredentials(file);
    const id = 'ab'.repeat(32);
    c.saveToken(id, 'alice', 'alice:Zm9v-_bar');
    c.saveToken(id, 'bob', 'bob:YmF6');
    c.saveToken('cd'.repeat(32), 'alice', 'alice:b3RoZXI');
    c.saveCertificate('10.0.0.1:12345', 'ef'.repeat(32));
    expect(c.token(id, 'alice')).toBe('alice:Zm9v-_bar');
    expect(c.token(id, 'bob')).toBe('bob:YmF6');
    expect(c.token('cd'.repeat(32), 'alice')).toBe('alice:b3RoZXI');
    expect(c.token(id, 'carol')).toBeUndefined();
    expect(c.certificate('10.0.0.1:12345')).toBe('ef'.repeat(32));
    expect(c.certificate('10.0.0.1:12346')).toBeUndefined();
    expect(readClientConfigFile(file).settings).toEqual({ server: '10.0.0.1', username: 'alice' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // still the simple layout: walt starts without loading the YAML library
    expect(readSimpleYamlConfig(readFileSync(file, 'utf8'))).toBeDefined();
    c.saveToken(id, 'alice', undefined);
    expect(c.token(id, 'alice')).toBeUndefined();
    expect(c.token(id, 'bob')).toBe('bob:YmF6');
  });

  it('writes no empty walt section when the file held nothing (settings from the environment)', () => {
    const file = tempFile();
    new ClientCredentials(file).saveToken('ab'.repeat(32), 'alice', 'alice:eA');
    expect(readFileSync(file, 'utf8')).not.toContain('walt:');
    expect(readSimpleYamlConfig(readFileSync(file, 'utf8'))).toBeDefined();
  });
});

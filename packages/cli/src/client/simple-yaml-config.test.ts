import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readSimpleYamlConfig } from './simple-yaml-config.js';

describe('readSimpleYamlConfig', () => {
  it('reads what walt writes, exactly as the YAML library does', () => {
    for (const text of [
      '# WalT configuration file\n# ***********************\n\nwalt:\n    server: walt-server.example.org\n    username: alice\n',
      'walt:\n  server: 192.168.12.1\n  username: bob_2\n',
      'server: localhost:12345\nusername: carol\n',
      'walt:\n    server: 10.0.0.1\r\n    username: dan\r\n',
      'walt:\n',
      '',
      '# only a comment\n',
    ]) {
      expect(readSimpleYamlConfig(text)).toEqual(parse(text) ?? {});
    }
  });

  it('leaves everything else to the YAML library', () => {
    for (const text of [
      'walt:\n    server: "quoted"\n',
      'walt:\n    username: 123\n',
      'walt:\n    username: true\n',
      'walt:\n    username: 1.5\n',
      'walt:\n    username: null\n',
      'walt: {server: x, username: y}\n',
      'registries:\n    hub:\n        username: x\n',
      'walt:\n    server: a\n      username: b\n',
      'walt:\n    server: a # comment\n',
      'walt:\n\tserver: a\n',
      '- a\n- b\n',
      'walt:\n    server: a\nwalt:\n    server: b\n',
      'server:x\n',
      '  server: x\n',
    ]) {
      expect(readSimpleYamlConfig(text), text).toBeUndefined();
    }
  });
});

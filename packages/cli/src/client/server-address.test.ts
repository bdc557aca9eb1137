import { describe, expect, it } from 'vitest';
import { serverBaseUrlOf } from './server-address.js';

describe('serverBaseUrlOf', () => {
  it('accepts a host, host:port, [v6]:port and http(s) URLs; https but on loopback', () => {
    expect(serverBaseUrlOf('walt.lab')).toBe('https://walt.lab:12345');
    expect(serverBaseUrlOf('10.0.0.1:8080')).toBe('https://10.0.0.1:8080');
    expect(serverBaseUrlOf('[::1]:12345')).toBe('http://[::1]:12345');
    expect(serverBaseUrlOf('127.0.0.1')).toBe('http://127.0.0.1:12345');
    expect(serverBaseUrlOf('localhost:80')).toBe('http://localhost:80');
    expect(serverBaseUrlOf('https://walt.lab/')).toBe('https://walt.lab');
    expect(serverBaseUrlOf('http://walt.lab/')).toBe('http://walt.lab');
    expect(serverBaseUrlOf('walt-server:65535')).toBe('https://walt-server:65535');
  });

  it('refuses what is no address: extra colons, ports out of 1-65535, bad hosts', () => {
    for (const bad of ['bad:port:x', '127.0.0.1:99999', 'host:0', 'host:', ':12345', 'walt server', '300.1.2.3', '1.2.3', '-host', 'host/path', 'ftp://host']) {
      expect(serverBaseUrlOf(bad), bad).toBeUndefined();
    }
  });
});

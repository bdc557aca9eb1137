import { describe, expect, it } from 'vitest';
import { normaliseImageName, parseClonableLink } from './clonable-link.js';
import { shortEngineError } from './engine-image-store.js';

describe('clonable links', () => {
  it('parse walt:, docker:, hub: and registry labels (tag defaults to latest)', () => {
    expect(parseClonableLink('walt:bob/img')).toEqual({ kind: 'walt', fullname: 'bob/img:latest' });
    expect(parseClonableLink('hub:waltplatform/rpi-default:v2')).toEqual({ kind: 'registry', label: 'hub', fullname: 'waltplatform/rpi-default:v2' });
    expect(parseClonableLink('lab:alice/x')).toEqual({ kind: 'registry', label: 'lab', fullname: 'alice/x:latest' });
    expect(parseClonableLink('docker:127.0.0.1:5000/a/b:1')).toEqual({ kind: 'docker', ref: '127.0.0.1:5000/a/b:1' });
  });
  it('refuse malformed links with the expected form', () => {
    for (const bad of ['alice/x', 'hub:x', 'hub:Alice/x', 'walt:a/b/c', 'docker:a b']) {
      expect(() => parseClonableLink(bad)).toThrow(/expected <walt\|docker\|hub\|registry-label>:<user>\/<image>/);
    }
  });
  it('normalise external names as the original', () => {
    expect(normaliseImageName('My_Image.v2')).toBe('my-image-v2');
  });
});

describe('shortEngineError', () => {
  it('keeps the useful end of podman messages', () => {
    expect(shortEngineError('initializing source docker://r/x:latest: reading manifest latest in r/x: manifest unknown: manifest unknown')).toBe('manifest unknown');
    expect(shortEngineError('pinging container registry 127.0.0.1:1: Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused')).toBe('connection refused');
  });
});

import { describe, expect, it } from 'vitest';
import { SDK_API_VERSION, SDK_VERSION } from './api-version.js';
import { defineHelpTopic, definePlugin, isPluginName, isWaltPlugin, type PluginDefinition } from './plugin.js';

const good: PluginDefinition = { name: 'walt-plugin-demo', version: '1.2.3', register() {} };

describe('isPluginName', () => {
  it.each(['@walt/plugin-rpi-4b', 'walt-plugin-beaglebone-black', '@acme/walt-plugin-x'])('accepts %s', (n) => {
    expect(isPluginName(n)).toBe(true);
  });
  it.each(['walt-beaglebone', '@walt/sdk', '@acme/plugin-x', 'walt-plugin-', 'Walt-plugin-x', '@walt/walt-plugin-', 'homebridge-x'])(
    'refuses %s',
    (n) => {
      expect(isPluginName(n)).toBe(false);
    },
  );
});

describe('definePlugin', () => {
  it('tags the definition with the SDK API version and the SDK version', () => {
    const p = definePlugin(good);
    expect(p.apiVersion).toBe(SDK_API_VERSION);
    expect(p.sdkVersion).toBe(SDK_VERSION);
    expect(isWaltPlugin(p)).toBe(true);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('keeps an explicit apiVersion, for the host to judge', () => {
    expect(definePlugin({ ...good, apiVersion: 2 }).apiVersion).toBe(2);
  });

  it.each([
    [{ name: 'demo' }, /invalid name "demo"/],
    [{ version: 'one' }, /definePlugin\(walt-plugin-demo\): version must be a semver string/],
    [{ register: undefined }, /register must be a function/],
    [{ apiVersion: 0 }, /apiVersion must be a positive integer/],
    [{ apiVersion: '1' }, /apiVersion must be a positive integer/],
    [{ settings: { port: { type: 'number', description: 'p' } } }, /settings.port: type must be one of/],
  ])('refuses %j', (patch, message) => {
    expect(() => definePlugin({ ...good, ...patch } as unknown as PluginDefinition)).toThrow(message);
  });

  it('refuses a non-object', () => {
    expect(() => definePlugin(undefined as unknown as PluginDefinition)).toThrow('definePlugin: expected an object');
  });

  it('is recognised across SDK copies through a global symbol, not by identity', () => {
    const foreign = { ...good, apiVersion: 1, sdkVersion: '1.0.0', [Symbol.for('walt.plugin')]: true };
    expect(isWaltPlugin(foreign)).toBe(true);
    expect(isWaltPlugin({ ...good })).toBe(false);
    expect(isWaltPlugin(null)).toBe(false);
  });
});

describe('defineHelpTopic', () => {
  it('accepts a topic', () => {
    expect(defineHelpTopic({ name: 'bbb-install', title: 'Install', markdown: '# x' }).name).toBe('bbb-install');
  });
  it.each([
    [{ name: 'Bad Name' }, /invalid name "Bad Name"/],
    [{ title: '' }, /title is required/],
    [{ markdown: '  ' }, /markdown is required/],
  ])('refuses %j', (patch, message) => {
    expect(() => defineHelpTopic({ name: 'topic', title: 'T', markdown: 'm', ...patch })).toThrow(message);
  });
});

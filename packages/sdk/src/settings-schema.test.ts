import { describe, expect, it } from 'vitest';
import { checkSettingsSchema, parseSettingValue, settingDefaults, validateSettings, type SettingsSchema } from './settings-schema.js';

const schema: SettingsSchema = {
  'poe-reboot': { type: 'boolean', description: 'hard reboot through PoE', default: true },
  'boot-delay': { type: 'integer', description: 'seconds', min: 0, max: 60, default: 5 },
  community: { type: 'string', description: 'SNMP community', pattern: '^[a-z]+$', example: 'private' },
  mode: { type: 'enum', description: 'boot mode', values: ['nfs', 'nbfs'], default: 'nfs' },
};

describe('parseSettingValue (values typed on a command line)', () => {
  it('parses each type', () => {
    expect(parseSettingValue('poe-reboot', schema['poe-reboot'], 'FALSE')).toBe(false);
    expect(parseSettingValue('boot-delay', schema['boot-delay'], '12')).toBe(12);
    expect(parseSettingValue('mode', schema.mode, 'NBFS')).toBe('nbfs');
    expect(parseSettingValue('community', schema.community, 'public')).toBe('public');
  });

  it.each([
    ['poe-reboot', 'yes', "setting 'poe-reboot' only allows values 'true' or 'false'."],
    ['boot-delay', '1.5', "setting 'boot-delay' expects an integer, got '1.5'."],
    ['boot-delay', '61', "setting 'boot-delay' must be at most 60."],
    ['boot-delay', '-1', "setting 'boot-delay' must be at least 0."],
    ['mode', 'iscsi', "setting 'mode' allows 'nfs', 'nbfs', got 'iscsi'."],
    ['community', 'Pub1', "'Pub1' is not a valid value for setting 'community' (for instance private)."],
  ])('refuses %s=%s', (key, raw, message) => {
    expect(() => parseSettingValue(key, schema[key], raw)).toThrow(message);
  });
});

describe('validateSettings (values from a config file)', () => {
  it('applies defaults and keeps typed values', () => {
    expect(validateSettings(schema, { 'boot-delay': 10, community: 'abc' })).toEqual({
      ok: true,
      value: { 'poe-reboot': true, 'boot-delay': 10, community: 'abc', mode: 'nfs' },
    });
  });

  it('accepts a missing settings object', () => {
    expect(validateSettings(schema, undefined)).toEqual({ ok: true, value: { 'poe-reboot': true, 'boot-delay': 5, mode: 'nfs' } });
  });

  it('accepts strings for typed values, as YAML may quote them', () => {
    expect(validateSettings(schema, { 'boot-delay': '7', 'poe-reboot': 'false' })).toMatchObject({ ok: true, value: { 'boot-delay': 7, 'poe-reboot': false } });
  });

  it('names every wrong key', () => {
    const r = validateSettings(schema, { 'boot-delay': 99, colour: 'red', 'poe-reboot': 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      "unknown setting 'colour' (known: poe-reboot, boot-delay, community, mode)",
      "setting 'poe-reboot' expects a boolean, got 3.",
      "setting 'boot-delay' must be at most 60.",
    ]);
  });

  it('treats inherited property names as unknown keys', () => {
    const r = validateSettings(schema, { constructor: 1, toString: 'x' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toContain("unknown setting 'constructor'");
  });

  it('refuses a non-mapping', () => {
    expect(validateSettings(schema, ['a'])).toEqual({ ok: false, errors: ['settings must be a mapping of key: value'] });
    expect(validateSettings(schema, 'a')).toEqual({ ok: false, errors: ['settings must be a mapping of key: value'] });
  });

  it('lists defaults', () => {
    expect(settingDefaults(schema)).toEqual({ 'poe-reboot': true, 'boot-delay': 5, community: undefined, mode: 'nfs' });
  });
});

describe('checkSettingsSchema (what a plugin declares)', () => {
  it('accepts a valid schema', () => {
    expect(() => checkSettingsSchema(schema)).not.toThrow();
    expect(() => checkSettingsSchema({})).not.toThrow();
  });

  it.each([
    [[], /settings: expected a mapping/],
    [{ Port: { type: 'integer', description: 'd' } }, /settings.Port: invalid setting name/],
    [{ port: null }, /settings.port: expected \{type, description\}/],
    [{ port: { type: 'float', description: 'd' } }, /settings.port: type must be one of boolean, integer, string, enum/],
    [{ port: { type: 'integer' } }, /settings.port: a description is required/],
    [{ mode: { type: 'enum', description: 'd', values: [] } }, /an enum needs a non-empty list/],
    [{ port: { type: 'integer', description: 'd', min: 5, max: 1 } }, /min is above max/],
    [{ port: { type: 'integer', description: 'd', min: 0.5 } }, /min must be an integer/],
    [{ port: { type: 'integer', description: 'd', default: '5' } }, /invalid default|default must be a number/],
    [{ port: { type: 'integer', description: 'd', max: 10, default: 50 } }, /settings.port: invalid default \(setting 'port' must be at most 10.\)/],
    [{ name: { type: 'string', description: 'd', pattern: '(' } }, /pattern is not a valid regular expression/],
    [{ mode: { type: 'enum', description: 'd', values: ['a'], default: 'b' } }, /invalid default/],
  ])('refuses %j', (bad, message) => {
    expect(() => checkSettingsSchema(bad)).toThrow(message);
  });
});

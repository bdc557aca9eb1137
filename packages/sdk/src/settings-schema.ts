/**
 * A small declarative schema for settings. Plugins declare their own settings (plugin-wide, from the
 * server config) and the per-device settings they contribute (`walt device config <dev> key=value`)
 * with it; the host validates values and the CLI lists them. Values typed on the command line arrive as
 * strings and are parsed with `parseSettingValue`.
 */
export type SettingSpec =
  | { type: 'boolean'; description: string; default?: boolean }
  | { type: 'integer'; description: string; default?: number; min?: number; max?: number }
  | { type: 'string'; description: string; default?: string; pattern?: string; example?: string }
  | { type: 'enum'; description: string; values: readonly string[]; default?: string };

export type SettingsSchema = Readonly<Record<string, SettingSpec>>;

export type SettingValue = boolean | number | string;

export type SettingsValidation =
  | { ok: true; value: Record<string, SettingValue> }
  | { ok: false; errors: string[] };

/** Parse one value typed by a user (always a string) according to its spec. Throws a one-line Error. */
export function parseSettingValue(key: string, spec: SettingSpec, raw: string): SettingValue {
  switch (spec.type) {
    case 'boolean': {
      const v = raw.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new Error(`setting '${key}' only allows values 'true' or 'false'.`);
    }
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) throw new Error(`setting '${key}' expects an integer, got '${raw}'.`);
      return checkInteger(key, spec, Number(raw));
    }
    case 'enum': {
      const match = spec.values.find((v) => v.toLowerCase() === raw.toLowerCase());
      if (match === undefined) {
        throw new Error(`setting '${key}' allows ${spec.values.map((v) => `'${v}'`).join(', ')}, got '${raw}'.`);
      }
      return match;
    }
    case 'string':
      return checkString(key, spec, raw);
  }
}

function checkInteger(key: string, spec: Extract<SettingSpec, { type: 'integer' }>, n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`setting '${key}' expects an integer, got '${n}'.`);
  if (spec.min !== undefined && n < spec.min) throw new Error(`setting '${key}' must be at least ${spec.min}.`);
  if (spec.max !== undefined && n > spec.max) throw new Error(`setting '${key}' must be at most ${spec.max}.`);
  return n;
}

function checkString(key: string, spec: Extract<SettingSpec, { type: 'string' }>, s: string): string {
  if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(s)) {
    const hint = spec.example ? ` (for instance ${spec.example})` : '';
    throw new Error(`'${s}' is not a valid value for setting '${key}'${hint}.`);
  }
  return s;
}

/** Check a whole settings object (from a config file: values already typed). Unknown keys are errors. */
export function validateSettings(schema: SettingsSchema, input: unknown): SettingsValidation {
  const errors: string[] = [];
  const value: Record<string, SettingValue> = {};
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: ['settings must be a mapping of key: value'] };
  }
  const given = input as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(schema, key)) errors.push(`unknown setting '${key}' (known: ${Object.keys(schema).join(', ') || 'none'})`);
  }
  for (const [key, spec] of Object.entries(schema)) {
    const raw = given[key];
    if (raw === undefined) {
      if (spec.default !== undefined) value[key] = spec.default;
      continue;
    }
    try {
      value[key] = typedValue(key, spec, raw);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

function typedValue(key: string, spec: SettingSpec, raw: unknown): SettingValue {
  switch (spec.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      break;
    case 'integer':
      if (typeof raw === 'number') return checkInteger(key, spec, raw);
      break;
    case 'enum':
    case 'string':
      if (typeof raw === 'string') return parseSettingValue(key, spec, raw);
      break;
  }
  if (typeof raw === 'string') return parseSettingValue(key, spec, raw);
  throw new Error(`setting '${key}' expects a ${spec.type}, got ${JSON.stringify(raw)}.`);
}

const SETTING_KEY = /^[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$/;
const SETTING_TYPES = ['boolean', 'integer', 'string', 'enum'];

/**
 * Check a schema's own shape (what a plugin declares), so a mistake shows when the plugin is defined,
 * not when a user first sets a value. Throws a one-line TypeError naming the key.
 */
export function checkSettingsSchema(schema: unknown, where = 'settings'): asserts schema is SettingsSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new TypeError(`${where}: expected a mapping of setting name to {type, description}`);
  }
  for (const [key, spec] of Object.entries(schema as Record<string, unknown>)) {
    const at = `${where}.${key}`;
    if (!SETTING_KEY.test(key)) throw new TypeError(`${at}: invalid setting name (lowercase words joined by '-', '_' or '.')`);
    if (typeof spec !== 'object' || spec === null) throw new TypeError(`${at}: expected {type, description}`);
    const s = spec as Record<string, unknown>;
    if (typeof s.type !== 'string' || !SETTING_TYPES.includes(s.type)) {
      throw new TypeError(`${at}: type must be one of ${SETTING_TYPES.join(', ')}`);
    }
    if (typeof s.description !== 'string' || !s.description.trim()) throw new TypeError(`${at}: a description is required`);
    if (s.type === 'enum') {
      if (!Array.isArray(s.values) || !s.values.length || !s.values.every((v) => typeof v === 'string')) {
        throw new TypeError(`${at}: an enum needs a non-empty list of string values`);
      }
    }
    if (s.type === 'integer') {
      for (const bound of ['min', 'max'] as const) {
        if (s[bound] !== undefined && !Number.isSafeInteger(s[bound])) throw new TypeError(`${at}: ${bound} must be an integer`);
      }
      if (typeof s.min === 'number' && typeof s.max === 'number' && s.min > s.max) throw new TypeError(`${at}: min is above max`);
    }
    if (s.type === 'string' && s.pattern !== undefined) {
      if (typeof s.pattern !== 'string') throw new TypeError(`${at}: pattern must be a string (a regular expression)`);
      try {
        new RegExp(s.pattern);
      } catch (e) {
        throw new TypeError(`${at}: pattern is not a valid regular expression (${(e as Error).message})`);
      }
    }
    if (s.default !== undefined) {
      const expected = { boolean: 'boolean', integer: 'number', string: 'string', enum: 'string' }[s.type as SettingSpec['type']];
      if (typeof s.default !== expected) throw new TypeError(`${at}: default must be a ${expected}`);
      try {
        typedValue(key, spec as SettingSpec, s.default);
      } catch (e) {
        throw new TypeError(`${at}: invalid default (${(e as Error).message})`);
      }
    }
  }
}

/** The default values of a schema, for display. */
export function settingDefaults(schema: SettingsSchema): Record<string, SettingValue | undefined> {
  return Object.fromEntries(Object.entries(schema).map(([k, s]) => [k, s.default]));
}

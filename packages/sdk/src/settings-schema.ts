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
    if (!(key in schema)) errors.push(`unknown setting '${key}' (known: ${Object.keys(schema).join(', ') || 'none'})`);
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

/** The default values of a schema, for display. */
export function settingDefaults(schema: SettingsSchema): Record<string, SettingValue | undefined> {
  return Object.fromEntries(Object.entries(schema).map(([k, s]) => [k, s.default]));
}

/** Injection tokens: tsx, vitest and esbuild emit no decorator metadata, so every @inject names one. */
export const TOKENS = {
  Config: Symbol.for('walt.Config'),
  Db: Symbol.for('walt.Db'),
  DevicesRepository: Symbol.for('walt.DevicesRepository'),
  LogsRepository: Symbol.for('walt.LogsRepository'),
  SettingsRepository: Symbol.for('walt.SettingsRepository'),
  LogService: Symbol.for('walt.LogService'),
  DeviceRegistry: Symbol.for('walt.DeviceRegistry'),
  PluginHost: Symbol.for('walt.PluginHost'),
  Extensions: Symbol.for('walt.Extensions'),
  ImageStore: Symbol.for('walt.ImageStore'),
  Router: Symbol.for('walt.Router'),
  ServerIdentity: Symbol.for('walt.ServerIdentity'),
} as const;

import type { BootProtocol } from './boot-protocol.js';
import { NODE_MODEL_ID, type NodeModel } from './node-model.js';
import { checkSettingsSchema } from './settings-schema.js';
import type { SwitchDriver } from './switch-driver.js';

/*
 * The define* helpers check a contribution's shape at once, so a mistake shows when the plugin is
 * registered, with the contribution's id in the message, and never later in the middle of a boot.
 * The host runs the same checks on whatever a plugin passes to api.nodeModel() & co, so plain
 * JavaScript plugins that skip the helpers get the same guarantees. Each returns a frozen copy.
 */

const CONTRIBUTION_ID = /^[a-z0-9][a-z0-9-]*$/;
const MAC_PREFIX = /^[0-9a-f]{2}(:[0-9a-f]{2}){0,5}$/;
const BOOT_FILE = /^[A-Za-z0-9._-][A-Za-z0-9._/-]*$/;
const IMAGE_NAME = /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireText(where: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || !value.trim()) throw new TypeError(`${where}: ${field} is required (a non-empty string)`);
}

function optionalFunctions(where: string, object: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (object[name] !== undefined && typeof object[name] !== 'function') throw new TypeError(`${where}: ${name} must be a function`);
  }
}

/** Define a node model. */
export function defineNodeModel(model: NodeModel): NodeModel {
  if (!isObject(model)) throw new TypeError('defineNodeModel: expected an object');
  if (typeof model.id !== 'string' || !NODE_MODEL_ID.test(model.id)) {
    throw new TypeError(`defineNodeModel: invalid id ${JSON.stringify(model.id)} (lowercase letters, digits and '-', e.g. rpi-4-b)`);
  }
  const where = `defineNodeModel(${model.id})`;
  requireText(where, 'family', model.family);
  requireText(where, 'description', model.description);
  if (typeof model.bootProtocol !== 'string' || !CONTRIBUTION_ID.test(model.bootProtocol)) {
    throw new TypeError(`${where}: bootProtocol is required (the id of a boot protocol, e.g. uboot)`);
  }
  if (!Array.isArray(model.bootFiles) || !model.bootFiles.every((f) => typeof f === 'string' && BOOT_FILE.test(f) && !f.split('/').includes('..'))) {
    throw new TypeError(`${where}: bootFiles must be a list of relative file names under /boot/${model.id}/ (e.g. start.uboot)`);
  }
  if (model.macPrefixes !== undefined && !Array.isArray(model.macPrefixes)) throw new TypeError(`${where}: macPrefixes must be a list`);
  for (const prefix of model.macPrefixes ?? []) {
    if (typeof prefix !== 'string' || !MAC_PREFIX.test(prefix)) {
      throw new TypeError(`${where}: invalid MAC prefix ${JSON.stringify(prefix)} (lowercase, colon separated, e.g. b8:27:eb)`);
    }
  }
  if (model.defaultImage !== undefined && (typeof model.defaultImage !== 'string' || !IMAGE_NAME.test(model.defaultImage))) {
    throw new TypeError(`${where}: invalid defaultImage ${JSON.stringify(model.defaultImage)} (e.g. waltplatform/${model.id}-default:latest)`);
  }
  if (model.capabilities !== undefined) {
    if (!isObject(model.capabilities)) throw new TypeError(`${where}: capabilities must be an object`);
    for (const [k, v] of Object.entries(model.capabilities)) {
      if (typeof v !== 'boolean') throw new TypeError(`${where}: capabilities.${k} must be true or false`);
    }
  }
  if (model.settings !== undefined) checkSettingsSchema(model.settings, `${where}: settings`);
  if (model.hooks !== undefined) {
    if (!isObject(model.hooks)) throw new TypeError(`${where}: hooks must be an object`);
    for (const gone of ['create', 'start', 'remove']) {
      if (model.hooks[gone] !== undefined) {
        throw new TypeError(`${where}: hooks.${gone} is not part of the plugin API (it was never called; virtual nodes come from api.virtualNodes)`);
      }
    }
    optionalFunctions(`${where}: hooks`, model.hooks, ['kill']);
  }
  return Object.freeze({ ...model });
}

/** Define a switch driver. */
export function defineSwitchDriver(driver: SwitchDriver): SwitchDriver {
  if (!isObject(driver)) throw new TypeError('defineSwitchDriver: expected an object');
  if (typeof driver.id !== 'string' || !CONTRIBUTION_ID.test(driver.id)) {
    throw new TypeError(`defineSwitchDriver: invalid id ${JSON.stringify(driver.id)} (lowercase letters, digits and '-')`);
  }
  const where = `defineSwitchDriver(${driver.id})`;
  requireText(where, 'description', driver.description);
  if (typeof driver.probe !== 'function') throw new TypeError(`${where}: probe is required (a function returning a score)`);
  optionalFunctions(where, driver as unknown as Record<string, unknown>, ['lldpNeighbors', 'forwardingTable', 'portNames']);
  if (driver.fallback !== undefined && typeof driver.fallback !== 'boolean') throw new TypeError(`${where}: fallback must be true or false`);
  if (driver.poe !== undefined) {
    if (!isObject(driver.poe) || typeof driver.poe.ports !== 'function' || typeof driver.poe.setPower !== 'function') {
      throw new TypeError(`${where}: poe needs both ports() and setPower()`);
    }
  }
  return Object.freeze({ ...driver });
}

/** Define a boot protocol. */
export function defineBootProtocol(protocol: BootProtocol): BootProtocol {
  if (!isObject(protocol)) throw new TypeError('defineBootProtocol: expected an object');
  if (typeof protocol.id !== 'string' || !CONTRIBUTION_ID.test(protocol.id)) {
    throw new TypeError(`defineBootProtocol: invalid id ${JSON.stringify(protocol.id)} (lowercase letters, digits and '-')`);
  }
  const where = `defineBootProtocol(${protocol.id})`;
  requireText(where, 'description', protocol.description);
  if (typeof protocol.claims !== 'function' || typeof protocol.reply !== 'function') {
    throw new TypeError(`${where}: claims and reply are required (functions)`);
  }
  optionalFunctions(where, protocol as unknown as Record<string, unknown>, ['identify', 'resolveTftp']);
  if (protocol.order !== undefined && (typeof protocol.order !== 'number' || !Number.isFinite(protocol.order))) {
    throw new TypeError(`${where}: order must be a number (lower claims first)`);
  }
  const files = protocol.staticFiles;
  if (files !== undefined && (!Array.isArray(files) || files.some((f) => typeof f !== 'string' || !f || f.startsWith('/') || f.split('/').includes('..')))) {
    throw new TypeError(`${where}: staticFiles must be a list of relative file names inside the static boot folder`);
  }
  return Object.freeze({ ...protocol });
}

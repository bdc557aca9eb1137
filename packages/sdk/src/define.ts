import type { BootProtocol } from './boot-protocol.js';
import { NODE_MODEL_ID, type NodeModel } from './node-model.js';
import type { SwitchDriver } from './switch-driver.js';

/** Define a node model; checks its shape so mistakes show at registration, with the model's id. */
export function defineNodeModel(model: NodeModel): NodeModel {
  if (!model || typeof model.id !== 'string' || !NODE_MODEL_ID.test(model.id)) {
    throw new TypeError(`defineNodeModel: invalid id ${JSON.stringify(model?.id)} (lowercase letters, digits and '-')`);
  }
  if (typeof model.bootProtocol !== 'string' || !model.bootProtocol) {
    throw new TypeError(`defineNodeModel(${model.id}): bootProtocol is required`);
  }
  if (!Array.isArray(model.bootFiles)) throw new TypeError(`defineNodeModel(${model.id}): bootFiles must be an array`);
  for (const prefix of model.macPrefixes ?? []) {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){0,5}$/.test(prefix)) {
      throw new TypeError(`defineNodeModel(${model.id}): invalid MAC prefix '${prefix}' (lowercase, e.g. b8:27:eb)`);
    }
  }
  return Object.freeze({ ...model });
}

export function defineSwitchDriver(driver: SwitchDriver): SwitchDriver {
  if (!driver || typeof driver.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(driver.id)) {
    throw new TypeError(`defineSwitchDriver: invalid id ${JSON.stringify(driver?.id)}`);
  }
  if (typeof driver.probe !== 'function') throw new TypeError(`defineSwitchDriver(${driver.id}): probe is required`);
  return Object.freeze({ ...driver });
}

export function defineBootProtocol(protocol: BootProtocol): BootProtocol {
  if (!protocol || typeof protocol.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(protocol.id)) {
    throw new TypeError(`defineBootProtocol: invalid id ${JSON.stringify(protocol?.id)}`);
  }
  if (typeof protocol.claims !== 'function' || typeof protocol.reply !== 'function') {
    throw new TypeError(`defineBootProtocol(${protocol.id}): claims and reply are required`);
  }
  return Object.freeze({ ...protocol });
}

import { describe, expect, it } from 'vitest';
import { defineBootProtocol, defineNodeModel, defineSwitchDriver } from './define.js';
import type { NodeModel } from './node-model.js';
import type { BootProtocol } from './boot-protocol.js';
import type { SwitchDriver } from './switch-driver.js';

const model: NodeModel = {
  id: 'rpi-4-b',
  family: 'rpi',
  description: 'Raspberry Pi 4 B',
  bootProtocol: 'rpi-firmware',
  bootFiles: ['start.uboot', 'dtbs/bcm2711-rpi-4-b.dtb'],
  macPrefixes: ['dc:a6:32', 'e4:5f:01'],
  capabilities: { poePowered: true },
};

describe('defineNodeModel', () => {
  it('returns a frozen copy of a valid model', () => {
    const m = defineNodeModel(model);
    expect(m).toEqual(model);
    expect(m).not.toBe(model);
    expect(Object.isFrozen(m)).toBe(true);
  });

  it.each([
    [{ id: 'Rpi' }, /invalid id "Rpi"/],
    [{ id: 'rpi-' }, /invalid id/],
    [{ id: undefined }, /invalid id undefined/],
    [{ family: '' }, /defineNodeModel\(rpi-4-b\): family is required/],
    [{ description: 3 }, /description is required/],
    [{ bootProtocol: '' }, /bootProtocol is required/],
    [{ bootFiles: 'start.uboot' }, /bootFiles must be a list/],
    [{ bootFiles: ['../etc/passwd'] }, /bootFiles must be a list of relative file names/],
    [{ bootFiles: ['/abs'] }, /bootFiles/],
    [{ macPrefixes: ['B8:27:EB'] }, /invalid MAC prefix "B8:27:EB"/],
    [{ macPrefixes: 'b8:27:eb' }, /macPrefixes must be a list/],
    [{ defaultImage: 'Not An Image' }, /invalid defaultImage/],
    [{ capabilities: { poePowered: 'yes' } }, /capabilities.poePowered must be true or false/],
    [{ hooks: { kill: 'now' } }, /hooks: kill must be a function/],
    [{ hooks: { start: async () => undefined } }, /hooks\.start is not part of the plugin API \(it was never called; virtual nodes come from api\.virtualNodes\)/],
    [{ settings: { 'boot-delay': { type: 'integer' } } }, /settings.boot-delay: a description is required/],
  ])('refuses %j', (patch, message) => {
    expect(() => defineNodeModel({ ...model, ...patch } as unknown as NodeModel)).toThrow(message);
  });

  it('refuses a non-object', () => {
    expect(() => defineNodeModel(null as unknown as NodeModel)).toThrow('defineNodeModel: expected an object');
  });

  it('accepts a default image with a registry path and tag', () => {
    expect(defineNodeModel({ ...model, defaultImage: 'waltplatform/rpi-4-b-default:latest' }).defaultImage).toBe(
      'waltplatform/rpi-4-b-default:latest',
    );
  });
});

const protocol: BootProtocol = {
  id: 'uboot',
  description: 'U-Boot',
  claims: () => true,
  reply: () => ({ bootFile: 'start.uboot' }),
};

describe('defineBootProtocol', () => {
  it('accepts a valid protocol', () => {
    expect(defineBootProtocol({ ...protocol, order: 10 }).order).toBe(10);
  });

  it.each([
    [{ id: 'U Boot' }, /invalid id "U Boot"/],
    [{ description: '' }, /defineBootProtocol\(uboot\): description is required/],
    [{ claims: undefined }, /claims and reply are required/],
    [{ reply: 'x' }, /claims and reply are required/],
    [{ resolveTftp: {} }, /resolveTftp must be a function/],
    [{ order: Number.NaN }, /order must be a number/],
  ])('refuses %j', (patch, message) => {
    expect(() => defineBootProtocol({ ...protocol, ...patch } as unknown as BootProtocol)).toThrow(message);
  });
});

const driver: SwitchDriver = { id: 'standard', description: 'IETF MIBs', probe: async () => 10 };

describe('defineSwitchDriver', () => {
  it('accepts a valid driver with PoE', () => {
    const d = defineSwitchDriver({ ...driver, poe: { ports: async () => [], setPower: async () => undefined } });
    expect(d.id).toBe('standard');
  });

  it.each([
    [{ id: '' }, /invalid id ""/],
    [{ description: undefined }, /description is required/],
    [{ probe: undefined }, /probe is required/],
    [{ lldpNeighbors: 1 }, /lldpNeighbors must be a function/],
    [{ poe: { ports: async () => [] } }, /poe needs both ports\(\) and setPower\(\)/],
  ])('refuses %j', (patch, message) => {
    expect(() => defineSwitchDriver({ ...driver, ...patch } as unknown as SwitchDriver)).toThrow(message);
  });
});

import type { NodeModel } from '@walt/sdk';
import { describe, expect, it } from 'vitest';
import type { Device } from '../devices/device.js';
import type { LogService } from '../logs/log-service.js';
import type { ExtensionRegistry } from '../plugins/extension-registry.js';
import type { PoeControl } from '../switches/poe-control.js';
import { RebootService } from './reboot-service.js';

const node = (model: string): Device => ({
  mac: 'b8:27:eb:00:00:01',
  ip: null,
  name: 'node-000001',
  type: 'node',
  virtual: false,
  model,
  image: null,
  conf: {},
  createdAt: 0,
});

/** A switch port that is known and allowed to reboot; records the power changes asked for. */
function poeRecorder() {
  const sets: boolean[] = [];
  const poe = {
    isOff: () => undefined,
    refusal: () => undefined,
    position: () => ({ switchDevice: { name: 'sw' }, port: 3 }),
    set: async (_sw: unknown, _port: number, on: boolean) => void sets.push(on),
  } as unknown as PoeControl;
  return { poe, sets };
}

const models = (poePowered: boolean | undefined) =>
  ({ nodeModel: (id: string) => ({ id, capabilities: poePowered === undefined ? {} : { poePowered } }) as unknown as NodeModel }) as unknown as ExtensionRegistry;
const logs = { platform: () => undefined } as unknown as LogService;
const options = { softTimeoutMs: 100, poeOffMs: 1, nodeServicePort: 12346 };

describe('hard reboot and the poePowered capability', () => {
  it('never power-cycles the port of a model declaring poePowered: false, and says why', async () => {
    const { poe, sets } = poeRecorder();
    const result = await new RebootService(poe, models(false), logs, options).reboot([node('acme-x1')], true);
    expect(sets).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.lines).toEqual(['node-000001: failed hard-reboot (model acme-x1 is not powered by its switch port (poePowered: false): power-cycle it by hand)']);
  });

  it('power-cycles a poePowered: true model (off, then on)', async () => {
    const { poe, sets } = poeRecorder();
    const result = await new RebootService(poe, models(true), logs, options).reboot([node('rpi-3-b-plus')], true);
    expect(sets).toEqual([false, true]);
    expect(result.lines).toEqual(['Node node-000001: rebooted OK.']);
  });

  it('tries PoE when the model does not say (capability unset)', async () => {
    const { poe, sets } = poeRecorder();
    await new RebootService(poe, models(undefined), logs, options).reboot([node('acme-y')], true);
    expect(sets).toEqual([false, true]);
  });
});

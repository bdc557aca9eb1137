import { definePlugin } from '@walt/sdk';
import { qemuProvider } from './qemu-provider.js';

export { qemuArguments, type QemuPlan, type Accel } from './qemu-arguments.js';
export { vmSettings, parseDisks, parseNetworks, VM_SETTINGS, type VmSettings } from './vm-settings.js';
export { qemuProvider, kvmUsable } from './qemu-provider.js';

interface VirtualSettings {
  qemu: string;
  accel: 'auto' | 'kvm' | 'tcg';
}

/**
 * Virtual nodes (`walt node create`) as qemu VMs. The node model stays pc-x86-64 (owned by
 * @walt/plugin-pc-x86): this plugin contributes the machinery that runs them.
 */
export default definePlugin<VirtualSettings>({
  name: '@walt/plugin-virtual',
  version: '1.0.0',
  settings: {
    qemu: { type: 'string', description: 'qemu binary for x86-64 virtual nodes', default: 'qemu-system-x86_64' },
    accel: { type: 'enum', values: ['auto', 'kvm', 'tcg'], description: 'qemu accelerator (auto: kvm when usable, else tcg)', default: 'auto' },
  },
  register(api) {
    const { settings, dataDir, logger } = api.context;
    api.virtualNodes(qemuProvider({ qemu: settings.qemu, accel: settings.accel, dataDir, logger }));
  },
});

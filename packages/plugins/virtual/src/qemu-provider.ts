import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { NodeRef, PluginLogger, VirtualNodeProvider, VirtualNodeSession } from '@walt/sdk';
import type { Accel } from './qemu-arguments.js';
import { VmFiles } from './vm-files.js';
import { VM_SETTINGS } from './vm-settings.js';
import { VmSupervisor } from './vm-supervisor.js';

export interface QemuProviderOptions {
  /** qemu binary (a name looked up in PATH, or a path). */
  qemu: string;
  /** auto: kvm when /dev/kvm is usable and the CPU has vmx/svm, else tcg. */
  accel: 'auto' | Accel;
  dataDir: string;
  logger: PluginLogger;
}

/** Does hardware virtualisation work here? /dev/kvm alone is not enough (nested setups expose it without vmx/svm). */
export function kvmUsable(cpuinfo = safeRead('/proc/cpuinfo'), kvmDevice = '/dev/kvm'): boolean {
  try {
    accessSync(kvmDevice, constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The path of a command, or undefined when it is not installed. */
export function findCommand(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  if (cmd.includes('/')) return existsSync(cmd) ? cmd : undefined;
  return path.split(delimiter).map((d) => join(d, cmd)).find((p) => existsSync(p));
}

/** Virtual nodes as qemu processes, one supervisor (reboot loop) per node. */
export function qemuProvider(options: QemuProviderOptions): VirtualNodeProvider {
  const supervisors = new Map<string, VmSupervisor>();
  const files = new VmFiles(options.dataDir);
  let accel: Accel | undefined;
  const chooseAccel = (): Accel => {
    if (accel) return accel;
    accel = options.accel === 'auto' ? (kvmUsable() ? 'kvm' : 'tcg') : options.accel;
    options.logger.info(`virtual nodes run with qemu -accel ${accel}${accel === 'tcg' ? ' (no usable KVM: emulated, slower)' : ''}`);
    return accel;
  };
  return {
    id: 'qemu',
    description: `qemu/kvm virtual machines (${options.qemu})`,
    // The VMs are PCs: the model (owned by @walt/plugin-pc-x86) whose default image they boot.
    model: 'pc-x86-64',
    settings: VM_SETTINGS,
    async check() {
      if (!findCommand(options.qemu)) return `${options.qemu} is not installed on the server (install the qemu-system-x86 package)`;
      return undefined;
    },
    async start(session: VirtualNodeSession) {
      const mac = session.node.mac;
      if (supervisors.get(mac)?.running) return;
      const qemu = findCommand(options.qemu);
      if (!qemu) throw new Error(`${options.qemu} is not installed on the server (install the qemu-system-x86 package)`);
      const supervisor = new VmSupervisor(session, { qemu, accel: chooseAccel(), files });
      supervisors.set(mac, supervisor);
      supervisor.start();
    },
    async kill(node: NodeRef) {
      const s = supervisors.get(node.mac);
      if (!s?.running) throw new Error(`the VM of ${node.name} is not running`);
      await s.kill();
    },
    async stop(node: NodeRef) {
      const s = supervisors.get(node.mac);
      supervisors.delete(node.mac);
      await s?.stop();
    },
    async remove(node: NodeRef) {
      files.remove(node.mac);
    },
    input(node: NodeRef, data: Uint8Array) {
      supervisors.get(node.mac)?.input(data);
    },
  };
}

import { defineNodeModel, type NodeModel } from '@walt/sdk';

const pc = (id: string, bits: string): NodeModel =>
  defineNodeModel({
    id,
    family: 'pc',
    description: `PC (${bits}) booting over BIOS PXE or an iPXE USB stick`,
    bootProtocol: 'ipxe',
    bootFiles: ['start.ipxe'],
    capabilities: { poePowered: false, console: false },
  });

/** The iPXE script tells them apart with `cpuid --ext 29` (long mode). */
export const PC_X86_64 = pc('pc-x86-64', '64-bit x86');
export const PC_X86_32 = pc('pc-x86-32', '32-bit x86');

import { describe, expect, it } from 'vitest';
import { createTestContext } from '@walt/sdk/testing';
import plugin from './index.js';
import { kvmUsable } from './qemu-provider.js';

describe('@walt/plugin-virtual', () => {
  it('registers a qemu virtual node provider and no node model (pc-x86-64 belongs to @walt/plugin-pc-x86)', async () => {
    const ctx = createTestContext({ name: '@walt/plugin-virtual' });
    const c = await ctx.register(plugin);
    expect(c.virtualNodeProviders.map((p) => p.id)).toEqual(['qemu']);
    expect(c.nodeModels).toEqual([]);
    expect(ctx.settings).toEqual({ qemu: 'qemu-system-x86_64', accel: 'auto' });
  });

  it('says why it cannot run VMs when qemu is missing', async () => {
    const ctx = createTestContext({ name: '@walt/plugin-virtual', settings: { qemu: '/nonexistent/qemu', accel: 'tcg' } });
    const c = await ctx.register(plugin);
    expect(await c.virtualNodeProviders[0].check?.()).toMatch(/not installed/);
  });

  it('uses KVM only when /dev/kvm is usable and the CPU has vmx or svm', () => {
    expect(kvmUsable('flags\t\t: fpu vme sse2', '/dev/null')).toBe(false);
    expect(kvmUsable('flags\t\t: fpu vmx sse2', '/dev/null')).toBe(true);
    expect(kvmUsable('flags\t\t: fpu svm', '/nonexistent')).toBe(false);
  });
});

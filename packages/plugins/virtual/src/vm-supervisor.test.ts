import type { VirtualNodeSession } from '@walt/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VmSupervisor } from './vm-supervisor.js';
import { VmFiles } from './vm-files.js';

describe('VmSupervisor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('backs off 2 s doubling to 64 s while the node cannot be started (image without a kernel), and never runs qemu', async () => {
    vi.useFakeTimers();
    const events: Array<{ at: number; line: string }> = [];
    const start = Date.now();
    const session = {
      node: { mac: '52:54:00:00:00:01', ip: '192.168.152.2', name: 'vn1', model: 'pc-x86-64', image: 'alice/broken:latest', settings: {} },
      current: async () => {
        throw new Error("image alice/broken:latest has no kernel in /boot/pc-x86-64/ (expected 'kernel' or 'vmlinuz*')");
      },
      output: () => undefined,
      event: (line: string) => events.push({ at: Date.now() - start, line }),
    } as unknown as VirtualNodeSession;
    const supervisor = new VmSupervisor(session, { qemu: '/nonexistent/qemu-must-not-run', accel: 'tcg', files: new VmFiles('/nonexistent') });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(200_000);
    const gaps = events.slice(1).map((e, i) => (e.at - events[i].at) / 1000);
    expect(gaps).toEqual([2, 4, 8, 16, 32, 64, 64]); // and stays at 64 s
    expect(events[0].line).toBe("cannot start VM of vn1: image alice/broken:latest has no kernel in /boot/pc-x86-64/ (expected 'kernel' or 'vmlinuz*') (next try in 2 s)");
    expect(events.filter((e) => e.at < 60_000)).toHaveLength(5); // was 60 in 60 s (once a second)
    expect(events.every((e) => e.line.startsWith('cannot start VM of vn1'))).toBe(true); // nothing else was tried
    await supervisor.stop();
  });
});

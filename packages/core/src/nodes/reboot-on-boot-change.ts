import type { LogService } from '../logs/log-service.js';
import type { BootChangeReboot, NodeImageService } from './node-image-service.js';
import type { PowersaveService } from './powersave-service.js';
import type { RebootService } from './reboot-service.js';

/**
 * Nodes given another image (boot, acquire, release) are woken if WalT powered them off, then
 * rebooted, as the original does. The outcome goes to the platform log (stream platform.nodes) and
 * back to the command that changed the image, which tells the user. Returns the function that stops it.
 */
export function rebootOnBootChange(images: NodeImageService, reboot: RebootService, powersave: PowersaveService, logs: LogService): () => Promise<void> {
  let stopped = false;
  const pending = new Set<Promise<BootChangeReboot>>();
  const unsubscribe = images.onBootChange(({ nodes, cause }) => {
    if (stopped || !nodes.length) return;
    const job = (async (): Promise<BootChangeReboot> => {
      const woken = await powersave.wake(nodes);
      const result = await reboot.reboot(nodes, false);
      for (const line of result.lines) logs.platform('nodes', `${line} (cause: ${cause})`, { error: !result.ok });
      return { lines: [...woken, ...result.lines], ok: result.ok };
    })()
      .catch((e: unknown): BootChangeReboot => {
        const line = `reboot after ${cause} failed: ${(e as Error).message}`;
        logs.platform('nodes', line, { error: true });
        return { lines: [line], ok: false };
      })
      .finally(() => pending.delete(job));
    pending.add(job);
    return job;
  });
  return async () => {
    stopped = true;
    unsubscribe();
    // Soft reboots time out by themselves (15 s); do not hold the server's stop longer than that.
    await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 1000).unref())]);
  };
}

import type { LogService } from '../logs/log-service.js';
import type { NodeImageService } from './node-image-service.js';
import type { PowersaveService } from './powersave-service.js';
import type { RebootService } from './reboot-service.js';

/**
 * Nodes given another image (boot, acquire, release) are woken if WalT powered them off, then
 * rebooted, as the original does. It runs in the background so the user's command answers at once;
 * the outcome goes to the platform log (stream platform.nodes). Returns the function that stops it.
 */
export function rebootOnBootChange(images: NodeImageService, reboot: RebootService, powersave: PowersaveService, logs: LogService): () => Promise<void> {
  const pending = new Set<Promise<void>>();
  let stopped = false;
  const unsubscribe = images.onBootChange(({ nodes, cause }) => {
    if (stopped || !nodes.length) return;
    const job = (async () => {
      await powersave.wake(nodes);
      const result = await reboot.reboot(nodes, false);
      for (const line of result.lines) logs.platform('nodes', `${line} (cause: ${cause})`, { error: !result.ok });
    })()
      .catch((e: unknown) => logs.platform('nodes', `reboot after ${cause} failed: ${(e as Error).message}`, { error: true }))
      .finally(() => pending.delete(job));
    pending.add(job);
  });
  return async () => {
    stopped = true;
    unsubscribe();
    // Soft reboots time out by themselves (15 s); do not hold the server's stop longer than that.
    await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 1000).unref())]);
  };
}

import type { Device } from './device.js';

/**
 * What a table that references devices does when a device is deleted (`walt device forget`, a
 * server row replaced at start): delete its rows, inside the deletion's transaction, and return how
 * many log lines it deleted (the logs table) or nothing.
 */
export type DeviceCleanup = (device: Device) => number | void;

/**
 * The one way of forgetting a device: every table that references devices (logs, leases, switch
 * ports...) gives its clean-up here, in the composition root, and the registry runs them all before
 * it deletes the device row.
 */
export class DeviceCleanups {
  private readonly cleanups: Array<{ table: string; cleanup: DeviceCleanup }> = [];

  /** The clean-up of one table (named, for the reader and for errors). */
  add(table: string, cleanup: DeviceCleanup): void {
    this.cleanups.push({ table, cleanup });
  }

  /** Run every clean-up for this device; returns the log lines deleted. */
  run(device: Device): number {
    let deletedLines = 0;
    for (const { cleanup } of this.cleanups) deletedLines += cleanup(device) ?? 0;
    return deletedLines;
  }
}

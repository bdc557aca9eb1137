import type { DependencyContainer } from 'tsyringe';
import { TOKENS } from '../tokens.js';
import { DeviceSets } from './device-set.js';
import { DeviceConfigService } from './device-config.js';
import { NodeImageService } from '../nodes/node-image-service.js';
import { NodeListing } from '../nodes/node-listing.js';

/** The services over the device registry (sets, settings, node ownership), one per server. */
export function registerDeviceServices(c: DependencyContainer): void {
  c.registerSingleton(TOKENS.DeviceSets, DeviceSets);
  c.registerSingleton(TOKENS.DeviceConfig, DeviceConfigService);
  c.registerSingleton(TOKENS.NodeImages, NodeImageService);
  c.registerSingleton(TOKENS.NodeListing, NodeListing);
}

import type { DeviceRegistry } from '../devices/device-registry.js';
import type { Router } from './router.js';

/** Device registry endpoints (listing; the devices issue adds rename, forget, config...). */
export function registerDeviceRoutes(router: Router, devices: DeviceRegistry): void {
  router.get('/api/v1/devices', () => ({ devices: devices.all() }));
}

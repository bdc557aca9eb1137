import type { PowersaveService } from '../nodes/powersave-service.js';
import type { RebootService } from '../nodes/reboot-service.js';
import type { SwitchesRepository } from '../store/switches-repository.js';
import type { PoeControl } from './poe-control.js';
import type { PortConfig } from './port-config.js';
import type { RescanService } from './rescan.js';
import type { SwitchDrivers } from './switch-drivers.js';
import type { TopologyView } from './topology-view.js';

/** The switches subsystem's services (built in compose/switches-subsystem.ts). */
export interface Switches {
  repo: SwitchesRepository;
  drivers: SwitchDrivers;
  poe: PoeControl;
  rescan: RescanService;
  portConfig: PortConfig;
  topology: TopologyView;
  reboot: RebootService;
  powersave: PowersaveService;
}

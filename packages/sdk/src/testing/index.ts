/** Test kit for plugin authors: simulated switch agents, DHCP/TFTP client simulators, conformance suites. */
export { createTestContext } from './test-context.js';
export { SimulatedSwitch, startSilentAgent, SIMULATED_OIDS, type SimulatedSwitchOptions, type PoeEvent } from './simulated-switch.js';
export {
  STANDARD_SWITCH_PROFILE,
  NO_STANDARD_MIBS_PROFILE,
  type SwitchProfile,
  type SimulatedSwitchState,
  type SimulatedTable,
  type SimulatedColumn,
  type SimulatedColumnType,
  type SimulatedNeighbor,
} from './switch-profile.js';
export { switchDriverConformance, runSwitchConformance, conformanceSwitchOptions, type ConformanceCheck, type ConformanceResult, type SwitchConformanceOptions } from './switch-conformance.js';
export { checkNodeModelPlugin, type ExpectedNodeModel } from './node-model-plugin-checks.js';
export { DhcpClientSimulator, type SimulatedClient, type SimulatorOptions, type LeaseOutcome } from './dhcp-client-simulator.js';
export { buildClientRequest, type ClientRequestFields } from './dhcp-client-request.js';
export { malformedDhcpPackets, seededRandom } from './malformed-dhcp-packets.js';

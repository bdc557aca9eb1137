/** Test kit for plugin authors: simulated switch agents, DHCP/TFTP client simulators, conformance suites. */
export { createTestContext } from './test-context.js';
export { SimulatedSwitch, startSilentAgent, SIMULATED_OIDS, type SimulatedSwitchOptions, type SimulatedSwitchVariant, type SimulatedNeighbor, type PoeEvent } from './simulated-switch.js';
export { switchDriverConformance, runSwitchConformance, conformanceSwitchOptions, type ConformanceCheck, type ConformanceResult, type SwitchConformanceOptions } from './switch-conformance.js';
export { checkNodeModelPlugin, type ExpectedNodeModel } from './node-model-plugin-checks.js';

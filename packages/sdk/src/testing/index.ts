/** Test kit for plugin authors: simulated switch agents, DHCP/TFTP client simulators, conformance suites. */
export { createTestContext } from './test-context.js';

/**
 * The DHCP wire format (`@walt/sdk/dhcp`): BOOTP/DHCP constants, a decoder that only ever throws
 * DhcpParseError, and the encoder. One codec for both sides: the server in @walt/core answers with it,
 * and the DHCP client simulators of @walt/sdk/testing build requests and read replies with it.
 */
export * from './dhcp-packet.js';
export * from './dhcp-codec.js';
export { intToIp, ipToInt } from './ipv4-numbers.js';

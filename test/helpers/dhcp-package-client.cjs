'use strict';
// The client of the `dhcp` npm package (infusion/node-dhcp 0.2.20), run inside a client namespace:
// `node dhcp-package-client.cjs <mac> [timeoutMs]`. Prints the bound state as one JSON line.
// An implementation nobody here wrote. Its traps (test-infrastructure.md, 1a) and how this handles them:
// - it sends to 255.255.255.255 through the routing table: the namespace needs a route for it;
// - it reads replies through a UDP socket on an interface with no address, yet clears the broadcast
//   flag (it says 0x8000 is for a client that requires broadcast replies, which it is): set it;
// - it never retransmits: resend the DISCOVER every second until bound.
const dhcp = require('dhcp');

const [mac, timeoutMs = '15000'] = process.argv.slice(2);
const client = dhcp.createClient({ mac, features: ['hostname', 'tftpServer', 'bootFile'] });
const send = client._send.bind(client);
client._send = (host, data) => send(host, { ...data, flags: 0x8000 });
client.on('error', (e) => process.stderr.write(`dhcp client: ${e?.message ?? e}\n`));
client.on('bound', (state) => {
  process.stdout.write(`${JSON.stringify({ ip: state.address, server: state.server, options: state.options })}\n`);
  process.exit(0);
});
client.listen(68, '0.0.0.0', () => {
  const discover = () => {
    client._state.state = 'INIT';
    client.sendDiscover();
  };
  discover();
  setInterval(discover, 1000);
});
setTimeout(() => {
  process.stderr.write('dhcp client: no lease\n');
  process.exit(1);
}, Number(timeoutMs));

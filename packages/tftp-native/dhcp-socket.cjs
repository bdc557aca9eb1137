'use strict';
// The DHCP server socket (build/Release/dhcp_socket.node, built with the sender by `node-gyp rebuild`).
const binding = require('./build/Release/dhcp_socket.node');

/**
 * Open a UDP socket bound to `address:port` with SO_BROADCAST, IP_PKTINFO and SO_TIMESTAMPNS, polled
 * on this thread's event loop. `onMessage(buffer, address, port, ifindex, arrivalMs)` gets each
 * datagram with the index of the interface it arrived on and the time the kernel received it
 * (clockMs()'s clock); an exception it throws goes to `onCallbackError` (default:
 * ignored), never to the socket.
 */
function open(port, address, onMessage, onCallbackError) {
  const handle = binding.open(port, address, (buffer, from, fromPort, ifindex, arrivalMs) => {
    try {
      onMessage(buffer, from, fromPort, ifindex, arrivalMs);
    } catch (e) {
      if (onCallbackError) onCallbackError(e);
    }
  });
  // The native side frees its state once libuv has closed the socket: never pass the handle after close().
  let closed = false;
  return {
    get port() {
      return closed ? 0 : binding.localPort(handle);
    },
    send: (buffer, to, toPort, ifindex) => (closed ? 'send: the socket is closed' : binding.send(handle, buffer, to, toPort, ifindex)),
    setArp: (ip, mac, ifname) => (closed ? 'SIOCSARP: the socket is closed' : binding.setArp(handle, ip, mac, ifname)),
    close: () => {
      if (closed) return;
      closed = true;
      binding.close(handle);
    },
  };
}

module.exports = { open, clockMs: binding.clockMs, interfaceIndex: binding.interfaceIndex, interfaceName: binding.interfaceName };

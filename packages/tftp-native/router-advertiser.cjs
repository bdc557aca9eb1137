'use strict';
// The answer to IPv6 router solicitations (build/Release/router_advertiser.node, built by `node-gyp rebuild`).
const binding = require('./build/Release/router_advertiser.node');

/**
 * Answer each router solicitation arriving on interface `ifname` with a router advertisement that
 * says "no IPv6 router here" (no prefix, M=O=0, lifetime 0), sent to all-nodes on that interface.
 * `onSolicitation(sourceAddress, sendError)` is told of each one after the answer ('' when sent);
 * an exception it throws is ignored. Throws a one-line error when the socket cannot be set up.
 */
function open(ifname, onSolicitation) {
  const handle = binding.open(ifname, (from, error) => {
    try {
      onSolicitation(from, error);
    } catch {
      /* a log failure must not stop the answers */
    }
  });
  let closed = false;
  return {
    close: () => {
      if (closed) return;
      closed = true;
      binding.close(handle);
    },
  };
}

module.exports = { open };

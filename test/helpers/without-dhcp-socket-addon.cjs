'use strict';
// Preloaded with `node --require` to run walt-server as on a machine where @walt/tftp-native's DHCP
// socket was not built: loading it fails the way a missing build does.
const Module = require('node:module');

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === '@walt/tftp-native/dhcp-socket') {
    const e = new Error("Cannot find module './build/Release/dhcp_socket.node' (hidden by the test)");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return load.call(this, request, ...rest);
};

'use strict';
// The compiled sender (build/Release/tftp_sender.node, built by `node-gyp rebuild` at install).
const binding = require('./build/Release/tftp_sender.node');

/**
 * Start one transfer on a thread of its own; `onEnd` is called once, on this thread, after the
 * last read of `fd`. An exception thrown by `onEnd` is reported by `onCallbackError` (default:
 * ignored), never left to the event loop.
 */
function send(options, onEnd, onCallbackError) {
  return binding.send(options, (outcome) => {
    try {
      onEnd(outcome);
    } catch (e) {
      if (onCallbackError) onCallbackError(e);
    }
  });
}

// openat2 RESOLVE_IN_ROOT (build/Release/open_beneath.node): confinement of file access in image roots.
const beneath = require('./build/Release/open_beneath.node');

module.exports = { send, cancel: binding.cancel, configure: binding.configure, openBeneath: beneath.openBeneath };

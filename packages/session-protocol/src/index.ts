export { FrameType, FrameDecoder, FrameError, MAX_FRAME_PAYLOAD, encodeFrame, encodeFrameHeader, type Frame } from './frame-codec.js';
export { SessionChannel, SESSION_UPGRADE, RAW_STDIN_HEADER, SEND_WINDOW, writeWithinWindow, type ExitStatus, type TerminalSize, type SessionChannelOptions } from './session-channel.js';
export { copyEndMarkerArchive, copyEndMarkerName, copyEndNonce } from './copy-end-marker.js';

export { FrameType, FrameDecoder, FrameError, MAX_FRAME_PAYLOAD, encodeFrame, encodeFrameHeader, type Frame } from './frame-codec.js';
export { SessionChannel, SESSION_UPGRADE, SEND_WINDOW, writeWithinWindow, type ExitStatus, type TerminalSize } from './session-channel.js';

// Drives one `walt node cp` session to a node by hand (test/integration/nodes/node-sessions.test.ts):
// sends a given tar stream, optionally followed by the copy's end marker, in raw-stdin or framed mode,
// and prints {raw, status | error, stderr} as JSON. Run where the API is reachable (the server's namespace).
// Usage: node cp-to-session.mjs <address> <token> <node> <dst> <name> raw|framed <tar file> marker|no-marker
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const { FrameType, RAW_STDIN_HEADER, SessionChannel, copyEndMarkerArchive } = await import(new URL('../../packages/session-protocol/dist/index.js', import.meta.url).href);
const [address, token, node, dst, name, mode, file, marker] = process.argv.slice(2);
const end = '0123456789abcdef';
const query = new URLSearchParams({ path: dst, name, kind: 'file', end });
const headers = { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'walt-session', ...(mode === 'raw' ? { [RAW_STDIN_HEADER]: 'raw' } : {}) };
const req = request(`http://${address}/api/v1/nodes/${node}/cp-to?${query}`, { headers, agent: false });
req.on('upgrade', (res, socket, head) => {
  const raw = res.headers[RAW_STDIN_HEADER] === 'raw';
  const channel = new SessionChannel(socket, head, { rawStdin: raw });
  let stderr = '';
  let result = {};
  channel.on('frame', (f) => {
    if (f.type === FrameType.stderr) stderr += f.payload.toString();
    else if (f.type === FrameType.exit) result = JSON.parse(f.payload.toString());
    else if (f.type === FrameType.error) result = { error: f.payload.toString() };
  });
  channel.on('close', () => {
    console.log(JSON.stringify({ raw, ...result, stderr }));
    process.exit(0);
  });
  const data = Buffer.concat([readFileSync(file), marker === 'marker' ? copyEndMarkerArchive(end) : Buffer.alloc(0)]);
  if (raw) socket.end(data);
  else {
    channel.send(FrameType.stdin, data);
    channel.send(FrameType.eof);
  }
});
req.on('response', (res) => {
  console.log(JSON.stringify({ httpStatus: res.statusCode }));
  process.exit(1);
});
req.end();

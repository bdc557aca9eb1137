// Runs a node script (argv[2]) as if started directly, and writes its peak RSS (KiB) to $MAX_RSS_FILE
// at exit: how a test measures the walt client's memory during a large transfer.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const out = process.env.MAX_RSS_FILE;
process.on('exit', () => {
  if (out) writeFileSync(out, String(process.resourceUsage().maxRSS));
});
const script = process.argv[2];
process.argv.splice(1, 1);
await import(pathToFileURL(script).href);

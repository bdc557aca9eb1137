'use strict';
// The client of the `tftp` npm package (gagle/node-tftp 0.1.2), run inside a client namespace:
// `node tftp-package-client.cjs <server> <remote name> <local file> [blockSize]`. Exit 0 once the
// file is written; the error on stderr otherwise.
const tftp = require('tftp');

const [host, remote, local, blockSize = '1468'] = process.argv.slice(2);
const client = tftp.createClient({ host, port: 69, blockSize: Number(blockSize), retries: 3, timeout: 1000 });
client.get(remote, local, (error) => {
  if (error) {
    process.stderr.write(`tftp client: ${error.message ?? error}\n`);
    process.exit(1);
  }
  process.exit(0);
});

import { shellQuote } from './shell-quote.js';

/** Where walt-init keeps a node's writable layer: the upper directory of its tmpfs overlay. */
export const NODE_WRITABLE_LAYER = '/run/walt/rw/upper';

/** Created by walt-notify-bootup once the node has booted: files changed before it are the boot's own. */
export const NODE_BOOTED_MARK = '/run/walt/bootup-done';

/**
 * The node side of `walt node save`, as the original's walt-dump-diff-tar: a tar on stdout of the
 * files and symbolic links of the writable layer created or modified since the bootup (all of them
 * when the node has no bootup mark), each with its parent directories (their modes and owners
 * kept), less what is the node's own business (logs, locks, machine-id, WalT's files). Removed
 * files cannot be seen (an overlay's whiteouts are left out), as in the original.
 * Exit 3: no writable layer (the node was not booted by walt-init).
 */
const DUMP = `
layer=$1; mark=$2
if [ ! -d "$layer" ]; then echo "no writable layer at $layer (was the node booted by WalT's walt-init?)" >&2; exit 3; fi
cd "$layer" || exit 1
changed() {
  if [ -e "$mark" ]; then find . '(' -type f -o -type l ')' '(' -newer "$mark" -o -cnewer "$mark" ')' -print
  else find . '(' -type f -o -type l ')' -print; fi
}
list=$(mktemp) || exit 1
trap 'rm -f "$list"' EXIT
changed |
  grep -v -e '/log/' -e '\\.lock$' -e 'machine-id' -e 'walt-env' -e '_walt_internal_' -e 'README.nonlocal' |
  awk '{ n = split($0, p, "/"); d = p[1]; for (i = 2; i < n; i++) { d = d "/" p[i]; if (!(d in seen)) { seen[d] = 1; print d } } print }' >"$list"
tar -c -f - --no-recursion -T "$list"
`;

export function nodeDiffCommand(layer = NODE_WRITABLE_LAYER, mark = NODE_BOOTED_MARK): string {
  return `sh -c ${shellQuote(DUMP)} walt-node-save ${shellQuote(layer)} ${shellQuote(mark)}`;
}

import { shellQuote } from './shell-quote.js';

/**
 * The node side of `walt node cp` to a node: the tar arrives on stdin and is unpacked into a
 * temporary directory beside the target, then renamed onto it, so a transfer cut short (client
 * killed) leaves no half file under the final name; permissions are kept (tar -p). The copy is
 * complete only when the client's end marker came after it (a second archive, hence GNU tar's -i;
 * see copy-end-marker.ts): a stream cut at a member boundary unpacks without error. A node whose
 * tar is not GNU's (busybox) takes the first archive only, as before the marker. Checked first: the
 * target's directory exists, and a directory is never replaced by a file.
 */
const RECEIVE = `
dst=$1; name=$2; kind=$3; end=$4
if [ -d "$dst" ]; then final="$dst/$name"; else final=$dst; fi
parent=$(dirname -- "$final")
if [ ! -d "$parent" ]; then echo "no such directory on the node: $parent" >&2; exit 2; fi
if [ -d "$final" ] && [ "$kind" != dir ]; then echo "cannot overwrite directory '$final' with a file" >&2; exit 1; fi
if [ -e "$final" ] && [ ! -d "$final" ] && [ "$kind" = dir ]; then echo "cannot overwrite file '$final' with a directory" >&2; exit 1; fi
tmp=$(mktemp -d "$parent/.walt-cp.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP PIPE
if tar --version 2>/dev/null | grep -q 'GNU tar'; then
  tar -x -i -p -f - -C "$tmp" || exit 1
  if [ ! -e "$tmp/$end" ]; then echo "the copy was cut short (the client stopped before its end)" >&2; exit 1; fi
  rm -f "$tmp/$end"
else
  # Another tar (busybox) cannot read past the first archive (no -i): the end marker goes unchecked.
  tar -x -p -f - -C "$tmp" || exit 1
fi
if [ ! -e "$tmp/$name" ]; then echo "the transfer did not hold '$name'" >&2; exit 1; fi
if [ -d "$final" ]; then cp -a "$tmp/$name/." "$final/" || exit 1
else mv -f "$tmp/$name" "$final" || exit 1; fi
`;

/** The node side of `walt node cp` from a node: a tar of the one file or directory on stdout. */
const SEND = `
src=$1
if [ ! -e "$src" ]; then echo "no such file or directory on the node: $src" >&2; exit 2; fi
cd -- "$(dirname -- "$src")" || exit 1
exec tar -c -f - -- "$(basename -- "$src")"
`;

/** `endMarker`: the file name the client's end marker unpacks to (copyEndMarkerName). */
export function receiveCommand(dst: string, name: string, kind: 'file' | 'dir', endMarker: string): string {
  return `sh -c ${shellQuote(RECEIVE)} walt-cp ${[dst, name, kind, endMarker].map(shellQuote).join(' ')}`;
}

export function sendCommand(src: string): string {
  return `sh -c ${shellQuote(SEND)} walt-cp ${shellQuote(src)}`;
}

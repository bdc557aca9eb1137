import { invalid } from '../errors.js';

/** Where `walt image clone` takes an image from. */
export type CloneSource =
  /** Another user's image on this server. */
  | { kind: 'walt'; fullname: string }
  /** An image of the server's engine (any engine reference). */
  | { kind: 'docker'; ref: string }
  /** A configured registry, by label (hub = Docker Hub). */
  | { kind: 'registry'; label: string; fullname: string };

/**
 * Parse a clonable link `[walt|docker|hub|<registry-label>]:<user>/<name>[:<tag>]` (the tag
 * defaults to latest).
 */
export function parseClonableLink(link: string): CloneSource {
  const m = /^([a-z0-9-]+):(.+)$/.exec(link);
  const usage = `invalid clonable image link '${link}' (expected <walt|docker|hub|registry-label>:<user>/<image>[:<tag>], see 'walt image search')`;
  if (!m) throw invalid(usage);
  const [, source, rest] = m;
  if (source === 'docker') {
    if (!/^[A-Za-z0-9._:/@-]+$/.test(rest)) throw invalid(usage);
    return { kind: 'docker', ref: rest };
  }
  const n = /^([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)(?::([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(rest);
  if (!n) throw invalid(usage);
  const fullname = `${n[1]}/${n[2]}:${n[3] ?? 'latest'}`;
  if (source === 'walt') return { kind: 'walt', fullname };
  return { kind: 'registry', label: source, fullname };
}

/** Names from external sources, normalised as the original: `[^a-z0-9:]+` → '-'. */
export function normaliseImageName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9:]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

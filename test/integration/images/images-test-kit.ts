import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
// @ts-expect-error plain ESM helper shared with the bench
import { buildTestImage, podman, testEngineEnv } from '../../fixtures/images/build-test-image.mjs';
import { skipUnless } from '../../helpers/prerequisites.js';

/** Where .ci/start-daemons.sh put the podman service and the registry (/tmp/walt-ci-env). */
export const ENGINE = testEngineEnv() as {
  WALT_TEST_PODMAN_SOCKET: string;
  WALT_TEST_PODMAN_ARGS: string;
  WALT_TEST_REGISTRY: string;
};

/** Skip outside CI (fail under CI=true) unless the podman service and the registry are there. */
export function needsEngine(): boolean {
  return skipUnless({ root: true, commands: ['podman', 'docker-registry', 'curl', 'tar'], files: [ENGINE.WALT_TEST_PODMAN_SOCKET] });
}

export const buildImage = buildTestImage as (o: { ref: string; models: string[]; bootModels?: string[]; push?: boolean; sizeMb?: number; keepLocal?: boolean; marker?: string; labels?: Record<string, string> }) => Promise<string>;
export const podmanCli = podman as (args: string[], o?: { timeoutMs?: number }) => string;

/** A short random suffix so parallel runs never share names in the engine or the registry. */
export function uniqueSuffix(): string {
  return randomBytes(3).toString('hex');
}

/** Does the engine have this reference? */
export function engineHas(ref: string): boolean {
  try {
    podmanCli(['image', 'exists', ref]);
    return true;
  } catch {
    return false;
  }
}

/** Containers of the engine carrying a label (view holders). */
export function containersWithLabel(label: string): string[] {
  return podmanCli(['ps', '-a', '--filter', `label=${label}`, '--format', '{{.ID}}']).split('\n').filter(Boolean);
}

/** Tags of a repository in the local registry. */
export function registryTags(repo: string): string[] {
  try {
    const out = execFileSync('curl', ['-sf', `http://${ENGINE.WALT_TEST_REGISTRY}/v2/${repo}/tags/list`], { encoding: 'utf8' });
    return (JSON.parse(out) as { tags?: string[] | null }).tags ?? [];
  } catch {
    return [];
  }
}

/** The YAML registries entry of the local registry. */
export function localRegistryYaml(label = 'local'): string {
  const [host, port] = ENGINE.WALT_TEST_REGISTRY.split(':');
  return `registries:\n  - {label: ${label}, api: docker-registry-v2, host: ${host}, port: ${port}, protocol: http}\n`;
}

/** A server with no walt-net device and the API on a free port: what the image tests add their `images:` to. */
export const SERVER_BASE = 'network:\n  walt-net:\n    raw-device: null\n    ip: 192.168.152.1/24\napi:\n  port: 0\n';

/** A server on the test podman service (views kept 1 s), optionally pulling from the local registry. */
export function engineServerConfig(options: { registry?: boolean } = {}): string {
  return `${SERVER_BASE}images:\n  engine-socket: ${ENGINE.WALT_TEST_PODMAN_SOCKET}\n  view-grace: 1\n${options.registry ? localRegistryYaml() : ''}`;
}

/** The real pc-x86-64 image of .ci/node-image.sh, in the local registry. */
export const NODE_IMAGE = process.env.WALT_TEST_NODE_IMAGE || `${ENGINE.WALT_TEST_REGISTRY}/waltplatform/pc-x86-64-default:latest`;

/** Skip when the local registry lacks the real node image (fail under CI=true): the real-boot tests' own check. */
export { nodeImageMissing } from '../../helpers/real-node.js';

/** Remove every engine image whose reference holds `suffix` (a test's uniqueSuffix()). */
export function removeEngineImages(suffix: string): void {
  const refs = podmanCli(['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter((r) => r.includes(suffix));
  for (const ref of refs) {
    try {
      podmanCli(['rmi', '--force', ref]);
    } catch {
      /* gone */
    }
  }
}

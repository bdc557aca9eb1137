import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../../helpers/prerequisites.js';
import { startServer, type ServerHandle } from '../../helpers/walt-processes.js';
import { buildImage, ENGINE, engineHas, engineServerConfig, needsEngine, NODE_IMAGE, nodeImageMissing, podmanCli, removeEngineImages, uniqueSuffix } from './images-test-kit.js';



/** Layers of an engine image. */
function layers(ref: string): number {
  return Number(podmanCli(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref]).trim());
}

function imageId(ref: string): string {
  return podmanCli(['image', 'inspect', '--format', '{{.Id}}', ref]).trim();
}

/**
 * `walt image build` and `walt image squash` against a real server on the podman service: a
 * Dockerfile FROM the real node image (Debian packages cannot be fetched in CI: the build copies a
 * file and runs a shell command instead of apt-get), from a directory and from a git repository;
 * failures show the build output and exit non-zero; an unbootable result is refused and changes
 * nothing; squash keeps the content and the labels in one layer.
 */
describe.skipIf(needsEngine() || skipUnless({ commands: ['git'] }) || nodeImageMissing())('walt image build and squash on podman', () => {
  const s = uniqueSuffix();
  const user = `b${s}`;
  const small = `${ENGINE.WALT_TEST_REGISTRY}/lbuild${s}/small:latest`;
  const noBoot = `${ENGINE.WALT_TEST_REGISTRY}/lbuild${s}/noboot:latest`;
  let server: ServerHandle;
  let work: string;
  const walt = async (args: string[], input?: string) => {
    const r = await server.walt(args, { user, timeoutMs: 300_000, input });
    return { ...r, out: r.stdout + r.stderr };
  };
  const dir = (name: string, files: Record<string, string>) => {
    const d = join(work, name);
    mkdirSync(d, { recursive: true });
    for (const [f, content] of Object.entries(files)) writeFileSync(join(d, f), content);
    return d;
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'walt-image-build-'));
    // Pulled once here: the builds below find the base image in the engine.
    podmanCli(['pull', '--tls-verify=false', NODE_IMAGE], { timeoutMs: 600_000 });
    await buildImage({ ref: small, models: ['pc-x86-64'], keepLocal: true, push: false, marker: `small-${s}` });
    await buildImage({ ref: noBoot, models: ['pc-x86-64'], bootModels: [], keepLocal: true, push: false, marker: `noboot-${s}` });
    server = await startServer({ config: engineServerConfig() });
  }, 900_000);

  afterAll(async () => {
    await server?.stop({ cleanup: true });
    removeEngineImages(s);
    rmSync(work, { recursive: true, force: true });
  });

  it('builds a directory whose Dockerfile starts FROM the node image and adds a file; the build output is shown', async () => {
    const ctx = dir('ctx', {
      Dockerfile: `FROM ${NODE_IMAGE}\nCOPY added.txt /root/added.txt\nRUN echo built-by-${s} > /etc/walt-build-marker\n`,
      'added.txt': `hello ${s}\n`,
    });
    const r = await walt(['image', 'build', '--from-dir', ctx, 'built']);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain('** Sending the directory');
    expect(r.stdout).toMatch(/STEP 2\/3: COPY added.txt/);
    expect(r.stdout).toContain('Image built was built successfully.');
    const show = JSON.parse((await walt(['image', 'show', '--json'])).stdout) as { images: Array<{ name: string; compatibility: string; problems: string[] }> };
    expect(show.images).toContainEqual(expect.objectContaining({ name: 'built', compatibility: 'pc-x86-64', problems: [] }));
    // The WalT labels of the base image are kept.
    expect(podmanCli(['image', 'inspect', '--format', '{{index .Labels "walt.node.models"}}', `localhost/${user}/built:latest`]).trim()).toBe('pc-x86-64');
    const back = join(work, 'added-back.txt');
    expect((await walt(['image', 'cp', 'built:/root/added.txt', back])).code).toBe(0);
    expect(readFileSync(back, 'utf8')).toBe(`hello ${s}\n`);
    expect((await walt(['image', 'cp', 'built:/etc/walt-build-marker', join(work, 'marker')])).code).toBe(0);
    expect(readFileSync(join(work, 'marker'), 'utf8')).toBe(`built-by-${s}\n`);
  });

  it('asks before overwriting an image of the same name; no answer changes nothing', async () => {
    const ctx = dir('ctx2', { Dockerfile: `FROM ${small}\nRUN echo two > /two\n` });
    expect((await walt(['image', 'build', '--from-dir', ctx, 'again'])).code).toBe(0);
    const before = imageId(`localhost/${user}/again:latest`);
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${small}\nRUN echo three > /three\n`);
    const refused = await walt(['image', 'build', '--from-dir', ctx, 'again'], 'n\n');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('already exists in your working set: this would overwrite it');
    expect(refused.out).toContain('Aborted.');
    expect(imageId(`localhost/${user}/again:latest`)).toBe(before);
    const yes = await walt(['image', 'build', '--from-dir', ctx, 'again'], 'y\n');
    expect(yes.code, yes.out).toBe(0);
    expect(imageId(`localhost/${user}/again:latest`)).not.toBe(before);
  });

  it('a failing build shows its output, exits non-zero and names no image', async () => {
    const ctx = dir('bad', { Dockerfile: `FROM ${small}\nRUN echo output-of-${s}; exit 3\n` });
    const r = await walt(['image', 'build', '--from-dir', ctx, 'broken']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain(`output-of-${s}`);
    expect(r.stderr).toMatch(/image build failed: .*exit status 3/);
    expect(engineHas(`localhost/${user}/broken:latest`)).toBe(false);
    expect(podmanCli(['images', '--format', '{{.Repository}}']).split('\n').filter((x) => x.startsWith('localhost/walt-build/'))).toEqual([]);
  });

  it('an image that cannot boot any of its models is refused with the reason, and the existing image stays', async () => {
    const ctx = dir('noboot', { Dockerfile: `FROM ${noBoot}\nRUN echo x > /x\n` });
    const r = await walt(['image', 'build', '--from-dir', ctx, 'again'], 'y\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('the image cannot boot any of its models (no /boot/pc-x86-64/): it was not saved');
    expect(engineHas(`localhost/${user}/again:latest`)).toBe(true);
    const nolabel = dir('nolabel', { Dockerfile: `FROM ${small}\nLABEL walt.node.models=\n` });
    const r2 = await walt(['image', 'build', '--from-dir', nolabel, 'nolabel']);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('the image has no label walt.node.models');
    expect(engineHas(`localhost/${user}/nolabel:latest`)).toBe(false);
  });

  it('builds from a git repository and a sub-directory; a missing Dockerfile or sub-directory is one line', async () => {
    const repo = dir('repo', { 'README': 'no recipe here\n' });
    dir('repo/sub', { Dockerfile: `FROM ${small}\nRUN echo from-git > /from-git\n` });
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'recipe');
    const r = await walt(['image', 'build', '--from-url', `file://${repo}`, '--sub-dir', 'sub', 'fromgit']);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain(`** Cloning the git repository at file://${repo}`);
    expect(engineHas(`localhost/${user}/fromgit:latest`)).toBe(true);
    const none = await walt(['image', 'build', '--from-url', `file://${repo}`, 'norecipe']);
    expect(none.code).not.toBe(0);
    expect(none.stderr.trim()).toBe(`Error: repository file://${repo} has no Dockerfile (or Containerfile); see 'walt help show image-build'`);
    const nosub = await walt(['image', 'build', '--from-url', `file://${repo}`, '--sub-dir', 'nowhere', 'x']);
    expect(nosub.stderr).toContain("no directory 'nowhere' in the repository");
    const climb = await walt(['image', 'build', '--from-url', `file://${repo}`, '--sub-dir', '../..', 'x']);
    expect(climb.stderr).toContain("invalid sub-directory '../..'");
    const bad = await walt(['image', 'build', '--from-url', `file://${work}/no-such-repo`, 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(`cannot clone file://${work}/no-such-repo`);
  });

  it('refuses bad command lines in one line', async () => {
    const empty = dir('empty', {});
    const recipe = dir('recipe', { Dockerfile: `FROM ${small}\n` });
    const cases: Array<[string[], string]> = [
      [['image', 'build', 'x'], 'You must specify 1 of the options --from-url and --from-dir'],
      [['image', 'build', '--from-dir', empty, '--from-url', 'file:///x', 'x'], 'You must specify 1 of the options'],
      [['image', 'build', '--from-dir', empty, '--sub-dir', 'a', 'x'], 'Option --sub-dir is only supported when combined with --from-url.'],
      [['image', 'build', '--from-dir', empty, 'x'], 'has no Dockerfile'],
      [['image', 'build', '--from-dir', join(work, 'nope'), 'x'], 'no such directory'],
      [['image', 'build', '--from-dir', recipe, 'Bad_Name'], "invalid image name 'Bad_Name'"],
      [['image', 'squash', 'no-such-image'], "No image named 'no-such-image' in your working set"],
    ];
    for (const [args, message] of cases) {
      const r = await walt(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('squash makes one layer with the same content and labels', async () => {
    const ref = `localhost/${user}/again:latest`;
    expect(layers(ref)).toBeGreaterThan(1);
    const r = await walt(['image', 'squash', 'again']);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain('Image was squashed successfully.');
    expect(layers(ref)).toBe(1);
    expect(podmanCli(['image', 'inspect', '--format', '{{index .Labels "walt.node.models"}}', ref]).trim()).toBe('pc-x86-64');
    expect((await walt(['image', 'cp', 'again:/three', join(work, 'three')])).code).toBe(0);
    expect(readFileSync(join(work, 'three'), 'utf8')).toBe('three\n');
  });
});

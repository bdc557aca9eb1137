import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryImageStore, readImageMeta } from './directory-image-store.js';

const dir = mkdtempSync(join(tmpdir(), 'walt-image-meta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function metaOf(text: string) {
  const file = join(dir, 'image.json');
  writeFileSync(file, text);
  return readImageMeta(file);
}

describe('image.json of an image folder', () => {
  it('reads the documented keys', () => {
    expect(metaOf('{"models": ["acme-x1"], "created": 1700000000, "preferredName": "acme"}')).toEqual({
      meta: { models: ['acme-x1'], created: 1700000000, preferredName: 'acme' },
    });
    expect(readImageMeta(join(dir, 'absent.json'))).toEqual({ meta: {} });
  });

  it('says what is wrong with a file that is not what the doc describes', () => {
    expect(metaOf('{"models": "acme-x1"}').problem).toBe('image.json: "models" must be an array of model ids (lowercase letters, digits and -)');
    expect(metaOf('{"models": ["acme-x1"],}').problem).toMatch(/^image\.json: not JSON \(/);
    expect(metaOf('[]').problem).toBe('image.json: not a JSON object');
    expect(metaOf('{"created": "yesterday"}').problem).toBe('image.json: "created" must be a number of seconds since 1970');
  });

  it("an image with a broken image.json is listed with that problem, not as 'no walt.node.models label'", async () => {
    const images = join(dir, 'images');
    DirectoryImageStore.writeImage(images, 'waltplatform/acme-x1-default:latest', { 'boot/acme-x1/start.uboot': 'x' });
    writeFileSync(join(images, 'waltplatform/acme-x1-default/latest/image.json'), '{"models": "acme-x1"}');
    const img = await new DirectoryImageStore(images).get('waltplatform/acme-x1-default:latest');
    expect(img?.models).toEqual([]);
    expect(img?.problems).toEqual(['image.json: "models" must be an array of model ids (lowercase letters, digits and -)']);
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const markdownFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? markdownFiles(file) : name.endsWith('.md') ? [file] : [];
  });

/** Every relative link of `file` that leads nowhere: no such file, or no such heading in it. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((link) => !/^[a-z]+:/.test(link))
    .filter((link) => {
      const [target, hash] = link.split('#') as [string, string | undefined];
      const resolved = target ? path.resolve(path.dirname(file), target) : file;
      if (!existsSync(resolved)) return true;
      if (!hash || statSync(resolved).isDirectory()) return false;
      const headings = [...readFileSync(resolved, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
      return !headings.includes(hash);
    });
}

describe('links in the README and docs/', () => {
  it('every relative link leads to a file, and to a heading in it', () => {
    const files = ['README.md', 'DEVELOPERS.md', ...markdownFiles('docs')];
    assert.deepEqual(
      files.flatMap((file) => brokenLinks(file).map((link) => `${file}: ${link}`)),
      [],
    );
  });

  it('the check sees a missing file and a missing heading', (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'custos-links-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'b.md'), "# B\n\n## Regulators' tokens\n");
    const file = path.join(dir, 'a.md');
    writeFileSync(
      file,
      '[ok](b.md#regulators-tokens) [gone](c.md) [no heading](b.md#nothing) [web](https://x.org/#y)\n',
    );
    assert.deepEqual(brokenLinks(file), ['c.md', 'b.md#nothing']);
  });
});

// The documentation stays inside the repository: every relative link of README.md and docs/**/*.md
// names a file that exists, and no page cites a path outside the repository (the research notes
// the protocol pages came from lived in ../shared/spec/; docs/protocol/ carries them now).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

function markdown(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return markdown(p);
    return name.endsWith('.md') ? [p] : [];
  });
}

const PAGES = [join(ROOT, 'README.md'), ...markdown(join(ROOT, 'docs'))];

test('every relative link names a file in the repository', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    // Code (fenced blocks and inline spans) holds no links.
    const text = readFileSync(page, 'utf8')
      .replace(/^```[\s\S]*?^```/gm, '')
      .replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] ?? '').split('#')[0] ?? '';
      if (target === '' || /^[a-z]+:/i.test(target)) continue;
      const file = resolve(dirname(page), target);
      if (!file.startsWith(`${ROOT}/`) || !existsSync(file)) broken.push(`${relative(ROOT, page)}: ${m[1]}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('no page cites the notes outside the repository (shared/…, spec/…)', () => {
  const outside: string[] = [];
  for (const page of [...PAGES, join(ROOT, 'docs/openapi.json')]) {
    const text = readFileSync(page, 'utf8');
    for (const m of text.matchAll(/(?<![\w/.-])(shared|spec)\/[\w./-]*/g)) outside.push(`${relative(ROOT, page)}: ${m[0]}`);
  }
  assert.deepEqual(outside, []);
});

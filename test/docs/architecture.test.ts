// The layout rules of docs/architecture.md, checked on the sources: imports point one way (nothing
// under core/, services/ or store/ imports sites/, cli/ or the composition root; core/ does no I/O),
// no source file grows past 400 lines, and every file the document names exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to paths under src/ ('sites/fds/plugin.ts'). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => relative(SRC, resolve(dirname(file), m[1] ?? '')));
}

const FILES = sources(SRC);
const layer = (p: string) => relative(SRC, p).split('/')[0] ?? '';

describe('the layout of docs/architecture.md', () => {
  it('core, services and store import neither sites, cli nor the composition root', () => {
    const wrong: string[] = [];
    for (const f of FILES) {
      if (!['core', 'services', 'store'].includes(layer(f))) continue;
      for (const target of importsOf(f)) {
        const top = target.split('/')[0] ?? '';
        if (top === 'sites' || top === 'cli' || target === 'context.ts' || target === 'server.ts')
          wrong.push(`${relative(SRC, f)} → ${target}`);
        if (layer(f) !== 'sites' && top === 'sites') wrong.push(`${relative(SRC, f)} → ${target}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('core imports only core and lib, and no I/O module', () => {
    const wrong: string[] = [];
    for (const f of FILES.filter((p) => layer(p) === 'core')) {
      for (const target of importsOf(f))
        if (!['core', 'lib'].includes(target.split('/')[0] ?? '')) wrong.push(`${relative(SRC, f)} → ${target}`);
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(
        /from\s+'(node:(?:fs|net|http|https|child_process|dgram|dns)[^']*|fastify|kysely|pg|ioredis|better-sqlite3)'/g,
      ))
        wrong.push(`${relative(SRC, f)} → ${m[1]}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('no source file is over 400 lines', () => {
    const long = FILES.map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 401);
    assert.deepEqual(long, []);
  });

  it('every source file docs/architecture.md names exists', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    // Paths with a folder, written from the repository root, from src/ (`sites/fds/plugin.ts`) or, in
    // the account traces, from src/sites/account/ (`open/route.ts`).
    const named = [...doc.matchAll(/`([A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+\.(?:ts|eta|md))`/g)].map((m) => m[1] ?? '');
    assert.ok(named.length > 20, `the document names files (${named.length})`);
    assert.deepEqual(
      named.filter((p) => ![p, `src/${p}`, `src/sites/account/${p}`, `docs/${p}`].some((c) => existsSync(join(ROOT, c)))),
      [],
    );
  });
});

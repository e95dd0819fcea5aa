// Every shell example of README.md and docs/*.md marked runnable runs as written against a fresh
// Opal. The mark is an HTML comment on the line before the fence, invisible on the rendered page:
//
//   <!-- runnable -->            the block must exit 0
//   <!-- runnable exit=2 -->     the block must exit 2 (an example that shows an error)
//
// Each page gets its own `opal serve --no-demo` on a fresh data directory (loopback, ports chosen
// by the OS); its blocks run in page order, each in `bash -e -o pipefail` in a fresh directory
// inside the checkout (so that `npx opal` finds this package and never asks the registry), with
// OPAL_DATA_DIR and OPAL_FDS_ENDPOINT naming that server. The only change to a block's text: the
// documented default origins http://127.0.0.1:8080 and :8081 become the server's real ones.
//
// `npx opal …` runs `node bin/opal.js …` directly, through an `npx` first on the blocks' PATH that
// passes anything else on to the real one: npm's own start-up cost 0.8 s of CPU per command, most
// of this file's time. That `npx opal` finds this checkout's bin is tested once, with the real npx,
// in test/cli/cli.test.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tmpDir } from '../helpers/env.ts';
import { cleanEnv, type OpalProcess, spawnOpal } from '../helpers/opal-cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => join(ROOT, 'docs', n)),
];

interface Block {
  page: string;
  line: number;
  code: string;
  exit: number;
}

/** The runnable blocks of a page, in order. */
function runnableBlocks(page: string, text: string): Block[] {
  const out: Block[] = [];
  const re = /^<!-- runnable(?: exit=(\d+))? -->\n```(?:sh|bash)\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) {
    out.push({ page, line: text.slice(0, m.index).split('\n').length + 2, code: m[2] ?? '', exit: Number(m[1] ?? 0) });
  }
  // A mark that does not sit right above a sh/bash fence is a mistake, not a silent skip.
  const marks = text.match(/^<!-- runnable/gm)?.length ?? 0;
  assert.equal(out.length, marks, `${relative(ROOT, page)}: a runnable mark not directly above a \`\`\`sh block`);
  return out;
}

function runBlock(code: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', code], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolveRun({ code: status, out });
    });
  });
}

const blocks = PAGES.map((p) => runnableBlocks(p, readFileSync(p, 'utf8')));

/** Quotes `s` for sh. */
const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** A directory holding the `npx` of the header comment; removed after the file's tests. */
function npxShim(): { dir: string; remove(): void } {
  const { path: dir, remove } = tmpDir('opal-docs-npx-');
  const realNpx = (process.env.PATH ?? '')
    .split(':')
    .map((d) => join(d, 'npx'))
    .find((f) => {
      try {
        accessSync(f, constants.X_OK);
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
  assert.ok(realNpx, 'npx on PATH');
  const script = `#!/bin/sh
if [ "$1" = opal ]; then shift; exec ${shQuote(process.execPath)} ${shQuote(join(ROOT, 'bin/opal.js'))} "$@"; fi
exec ${shQuote(realNpx)} "$@"
`;
  writeFileSync(join(dir, 'npx'), script);
  chmodSync(join(dir, 'npx'), 0o755);
  return { dir, remove };
}

const shim = npxShim();
after(() => shim.remove());

test('the pages have runnable examples', () => {
  assert.ok(blocks.flat().length >= 10, `only ${blocks.flat().length} runnable blocks`);
});

for (const pageBlocks of blocks.filter((b) => b.length > 0)) {
  const page = relative(ROOT, pageBlocks[0]?.page ?? '');
  describe(`runnable examples of ${page}`, () => {
    let server: OpalProcess;
    let data: { path: string; remove(): void };
    const urls = { account: '', fds: '' };
    before(async () => {
      data = tmpDir('opal-docs-');
      server = spawnOpal(['serve', '--no-demo'], { OPAL_DATA_DIR: data.path, OPAL_HOST: '127.0.0.1', OPAL_PORT: '0', OPAL_FDS_PORT: '0' });
      urls.account = (await server.waitFor(/^ {2}account origin:\s+(http:\/\/\S+)$/, 30_000, 'stderr')).match[1] ?? '';
      urls.fds = (await server.waitFor(/^ {2}FDS origin:\s+(http:\/\/\S+)$/, 30_000, 'stderr')).match[1] ?? '';
    });
    after(async () => {
      await server?.stop();
      data?.remove();
    });
    for (const block of pageBlocks) {
      test(`${page}:${block.line} exits ${block.exit}`, async () => {
        const cwd = join(ROOT, '.tmp', `docs-${process.pid}-${block.line}`);
        mkdirSync(cwd, { recursive: true });
        try {
          const code = block.code.replaceAll('http://127.0.0.1:8080', urls.account).replaceAll('http://127.0.0.1:8081', urls.fds);
          const r = await runBlock(code, cwd, {
            OPAL_DATA_DIR: data.path,
            OPAL_FDS_ENDPOINT: urls.fds,
            PATH: `${shim.dir}:${process.env.PATH ?? ''}`,
            // npx must use this checkout's `opal`, never install one.
            npm_config_yes: 'false',
          });
          assert.equal(r.code, block.exit, `${page}:${block.line}\n${block.code}\n--- output:\n${r.out}`);
        } finally {
          rmSync(cwd, { recursive: true, force: true });
        }
      });
    }
  });
}

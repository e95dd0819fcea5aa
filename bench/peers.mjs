// Side by side with the peers: runs the benchmark kit's `all` (Fastify hello, nginx, raw fsync loop,
// oidc-provider, s3rver) and then `opal CHECKOUT` on this checkout into one results file, writes the
// kit's report beside it, and prints Opal's ratios against the peers with the goals they are held to.
//
//   npm run bench:peers                  # the whole run (about 25 minutes)
//   node bench/peers.mjs --ratios FILE   # only the ratio table of an existing results file
//
// The kit is the folder named by OPAL_PEERS_KIT (default: `peers` in the folder that holds this
// checkout's parent, i.e. ../shared/peers seen from the checkout); it installs its own peers into
// its scratch folder and writes nothing into the checkout. Only ratios within one results file mean
// anything: absolute figures move between machines and runs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Opal's row, the peer it is compared with, the goal for opal/peer, and which figure compares. */
export const GOALS = [
  { what: '`/user/profile`, no MAC', opal: 'opal-profile', peer: 'ceiling-fastify-hello', goal: 0.5 },
  { what: '`/user/profile`, no MAC', opal: 'opal-profile', peer: 'oidc-userinfo', goal: 3 },
  { what: '`/user/profile`, MAC, unique nonces', opal: 'opal-profile-mac', peer: 'ceiling-fastify-hello', goal: 0.35 },
  { what: '`/user/profile`, MAC, unique nonces', opal: 'opal-profile-mac', peer: 'oidc-userinfo', goal: 2.5 },
  { what: 'code exchange (SDK GET)', opal: 'opal-token-code', peer: 'oidc-token-code', goal: 2 },
  { what: 'refresh with rotation', opal: 'opal-token-refresh', peer: 'oidc-token-refresh', goal: 2 },
  { what: 'FDS PUT 4 KiB, disk', opal: 'opal-fds-put-4k', peer: 's3rver-put-4k-disk', goal: 2.5 },
  { what: 'FDS PUT 1 MiB, disk', opal: 'opal-fds-put-1m', peer: 's3rver-put-1m-disk', goal: 3 },
  { what: 'FDS GET 4 KiB', opal: 'opal-fds-get-4k', peer: 's3rver-get-4k-disk', goal: 8 },
  { what: 'FDS GET 4 KiB', opal: 'opal-fds-get-4k', peer: 'nginx-get-4k', goal: 0.2 },
  { what: 'FDS GET 1 MiB', opal: 'opal-fds-get-1m', peer: 's3rver-get-1m-disk', goal: 2.5 },
  { what: 'FDS GET 1 MiB', opal: 'opal-fds-get-1m', peer: 'nginx-get-1m', goal: 0.4 },
];
/** Peak RSS under every load above, MiB. */
export const PEAK_RSS_GOAL_MIB = 150;
/** p99 of the token endpoint under 50 connections, ms. */
export const TOKEN_P99_GOAL_MS = 50;

function readRows(file) {
  const rows = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    rows.set(r.name, r);
  }
  return rows;
}

const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

/** The ratio table (Markdown) of one results file. */
export function ratioTable(file) {
  const rows = readRows(file);
  const out = ['| workload | Opal | peer / ceiling | ratio | goal | met |', '|---|---:|---|---:|---:|:-:|'];
  for (const g of GOALS) {
    const o = rows.get(g.opal);
    const p = rows.get(g.peer);
    if (!o || !p) {
      out.push(`| ${g.what} | ${o ? fmt(o.rps) : 'missing'} | ${g.peer} ${p ? fmt(p.rps) : 'missing'} | | ≥ ${g.goal}× | |`);
      continue;
    }
    const ratio = o.rps / p.rps;
    const bad = o.errors > 0 || p.errors > 0 ? ' (errors!)' : '';
    out.push(
      `| ${g.what} | ${fmt(o.rps)} req/s, p99 ${fmt(o.p99_ms)} ms, ${o.peak_rss_mib ?? '?'} MiB | ${g.peer} ${fmt(p.rps)} | ${ratio.toFixed(2)}×${bad} | ≥ ${g.goal}× | ${ratio >= g.goal && !bad ? 'yes' : 'no'} |`,
    );
  }
  const opalRows = [...rows.values()].filter((r) => r.name.startsWith('opal-'));
  const peak = Math.max(...opalRows.map((r) => r.peak_rss_mib ?? 0));
  out.push('');
  out.push(`Peak RSS over Opal's loads: ${peak} MiB (goal < ${PEAK_RSS_GOAL_MIB} MiB): ${peak < PEAK_RSS_GOAL_MIB ? 'met' : 'not met'}.`);
  for (const name of ['opal-token-code', 'opal-token-refresh']) {
    const r = rows.get(name);
    if (r) out.push(`${name} p99: ${r.p99_ms} ms (goal < ${TOKEN_P99_GOAL_MS} ms): ${r.p99_ms < TOKEN_P99_GOAL_MS ? 'met' : 'not met'}.`);
  }
  return out.join('\n');
}

function run(kit, args, env) {
  const r = spawnSync(join(kit, 'run.sh'), args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${join(kit, 'run.sh')} ${args.join(' ')} exited ${r.status}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--ratios') {
    if (!args[1]) throw new Error('usage: node bench/peers.mjs --ratios RESULTS.jsonl');
    console.log(ratioTable(args[1]));
  } else {
    const kit = resolve(process.env.OPAL_PEERS_KIT ?? join(root, '..', 'shared', 'peers'));
    if (!existsSync(join(kit, 'run.sh'))) {
      console.error(`bench:peers: no benchmark kit at ${kit} (set OPAL_PEERS_KIT to the folder holding run.sh)`);
      process.exit(2);
    }
    const scratch = process.env.PEERS_SCRATCH ?? join(process.env.TMPDIR ?? '/tmp', 'opal-peers');
    const stamp = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const results = join(scratch, 'results', `side-${stamp}.jsonl`);
    const env = { RESULTS: results, PEERS_SCRATCH: scratch };
    if (!args.includes('--opal-only')) run(kit, ['all'], env);
    run(kit, ['opal', root], env);
    const report = spawnSync(join(kit, 'run.sh'), ['report', results], { encoding: 'utf8', env: { ...process.env, ...env } });
    const md = results.replace(/\.jsonl$/, '.md');
    writeFileSync(md, `${report.stdout}\n## Ratios\n\n${ratioTable(results)}\n`);
    console.log(`\nresults: ${results}\nreport:  ${md}\n`);
    console.log(ratioTable(results));
  }
}

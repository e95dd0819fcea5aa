// What one SQLite transaction per code exchange costs, against several exchanges per transaction
// (each in its own savepoint), on Opal's schema (its migrations, run first): the code marked used,
// an access and a refresh token inserted, an audit row inserted, each table with its indexes. WAL
// mode, synchronous=NORMAL, no fsync (the sync is the same one per group commit either way);
// checkpoints copy the log into the database file every ~1,000 exchanges, as Opal's every 0.5 s
// under load. Of the store's connection settings (sqlite-driver.ts) it uses those that change
// what a write costs: secure_delete, and temporary files in memory unless TEMP_STORE=file.
// Token families are named as the server names them (core/account/token-family.ts: the time first),
// or with FAMILIES=hash as builds before 2026-12-08 did (the code's hash: a random place in the
// family index per exchange).
// Prints CPU time and log frames per exchange, and the time of each statement and of the commits.
// Usage: [TEMP_STORE=file] [FAMILIES=hash] node --import tsx bench/sqlite-batching.ts [exchanges=8000] [batch sizes=1,4,16]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { codeFamily } from '../src/core/account/token-family.ts';
import { sha256Hex } from '../src/lib/hash.ts';
import { openDb } from '../src/store/db/connect.ts';
import { migrate } from '../src/store/db/migrate.ts';

const n = Number(process.argv[2] ?? 8000);
const batches = (process.argv[3] ?? '1,4,16').split(',').map(Number);
const hex = () => sha256Hex(randomBytes(24));
/** A code's token family: as the server names it, or (FAMILIES=hash) as earlier builds did. */
const family = (at: number, codeHash: string) => (process.env.FAMILIES === 'hash' ? codeHash : codeFamily(at, codeHash));
const GRANT = 'grant-0',
  CLIENT = '2882303761517748392',
  USER = '5795426992';

async function run(batch: number) {
  const dir = mkdtempSync(join(tmpdir(), 'opal-batching-'));
  const path = join(dir, 'opal.db');
  const store = await openDb({ dataDir: dir });
  await migrate(store);
  await store.close();
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('secure_delete = ON');
  if (process.env.TEMP_STORE !== 'file') db.pragma('temp_store = MEMORY');
  const now0 = Date.now();
  const code = db.prepare(
    'insert into oauth_codes (code_hash, client_id, user_id, grant_id, scopes, redirect_uri, expires_at, created_at) values (?,?,?,?,?,?,?,?)',
  );
  const token = db.prepare(
    'insert into oauth_tokens (token_hash, kind, grant_id, client_id, user_id, scopes, token_type, family_id, expires_at, created_at) values (?,?,?,?,?,?,?,?,?,?)',
  );
  const audit = db.prepare('insert into audit_events (at, type, actor, subject, client_id, ip, detail) values (?,?,null,?,?,?,?)');
  // A store that has served a while: 40,000 earlier exchanges, then the codes to redeem.
  db.transaction(() => {
    for (let i = 0; i < 40_000; i++) {
      const fam = family(now0 - 40_000 + i, hex());
      token.run(hex(), 'access', GRANT, CLIENT, USER, '1,3', 'mac', fam, now0, now0);
      token.run(hex(), 'refresh', GRANT, CLIENT, USER, '1,3', 'mac', fam, now0, now0);
      audit.run(now0, 'oauth.token.issue', USER, CLIENT, '127.0.0.1', '{"grant":"authorization_code"}');
    }
  })();
  // Issued a millisecond apart, and redeemed in the order they were issued.
  const codes: Array<{ hash: string; at: number }> = [];
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const c = { hash: hex(), at: now0 - n + i };
      codes.push(c);
      code.run(c.hash, CLIENT, USER, GRANT, '1,3', 'https://app.example.com/cb', now0 + 600_000, c.at);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const copier = new SQLite(path);
  copier.pragma('synchronous = OFF');
  const used = db.prepare('update oauth_codes set used_at = ? where code_hash = ? and used_at is null');
  const begin = db.prepare('begin');
  const commit = db.prepare('commit');
  const savepoint = db.prepare('savepoint x');
  const release = db.prepare('release x');
  // Wall time per statement kind (the tokens' keys are made outside the timed calls).
  const spent = { used: 0n, access: 0n, refresh: 0n, audit: 0n, commit: 0n };
  const timed = (k: keyof typeof spent, f: () => unknown) => {
    const t0 = process.hrtime.bigint();
    f();
    spent[k] += process.hrtime.bigint() - t0;
  };
  const exchange = ({ hash: h, at }: { hash: string; at: number }) => {
    const now = Date.now();
    const access = hex();
    const refresh = hex();
    timed('used', () => used.run(now, h));
    const fam = family(at, h);
    timed('access', () => token.run(access, 'access', GRANT, CLIENT, USER, '1,3', 'mac', fam, now + 7_776_000_000, now));
    timed('refresh', () => token.run(refresh, 'refresh', GRANT, CLIENT, USER, '1,3', 'mac', fam, now + 315_360_000_000, now));
    timed('audit', () => audit.run(now, 'oauth.token.issue', USER, CLIENT, '127.0.0.1', '{"grant":"authorization_code"}'));
  };
  let frames = 0;
  let sinceCheckpoint = 0;
  const checkpoint = () => {
    frames += (copier.pragma('wal_checkpoint(PASSIVE)') as Array<{ checkpointed: number }>)[0]?.checkpointed ?? 0;
    sinceCheckpoint = 0;
  };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i += batch) {
    begin.run();
    for (let j = i; j < Math.min(i + batch, n); j++) {
      if (batch > 1) savepoint.run();
      exchange(codes[j] as { hash: string; at: number });
      if (batch > 1) release.run();
    }
    timed('commit', () => commit.run());
    sinceCheckpoint += batch;
    if (sinceCheckpoint >= 1000) checkpoint();
  }
  checkpoint();
  const cpu = process.cpuUsage(cpu0);
  copier.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const per = (k: keyof typeof spent) => (Number(spent[k]) / n / 1000).toFixed(1);
  return {
    batch,
    cpuUs: (cpu.user + cpu.system) / n,
    frames: frames / n,
    statements: `${per('used')} / ${per('access')} / ${per('refresh')} / ${per('audit')} / ${per('commit')}`,
  };
}

console.log(
  `temporary files: ${process.env.TEMP_STORE === 'file' ? 'file' : 'memory'}; token families: ${process.env.FAMILIES === 'hash' ? "the code's hash" : 'time first'}`,
);
console.log(
  '| exchanges per transaction | CPU per exchange (µs) | log frames per exchange | µs per exchange: code used / access token / refresh token / audit / commit |',
);
console.log('|---:|---:|---:|---|');
for (const b of batches) {
  const r = await run(b);
  console.log(`| ${r.batch} | ${r.cpuUs.toFixed(1)} | ${r.frames.toFixed(2)} | ${r.statements} |`);
}

// What one SQLite transaction per code exchange costs, against several exchanges per transaction
// (each in its own savepoint), on the schema of Opal's exchange: the code marked used, an access
// and a refresh token inserted, an audit row inserted (each table with its indexes, as in
// src/store/db/migrations/). WAL mode, synchronous=NORMAL, no fsync (the sync is the same one per
// group commit either way); checkpoints copy the log into the database file every ~1,000
// exchanges, as Opal's every 0.5 s under load. Prints CPU time and log frames per exchange.
// Usage: node bench/sqlite-batching.mjs [exchanges=8000] [batch sizes=1,4,16]
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

const n = Number(process.argv[2] ?? 8000);
const batches = (process.argv[3] ?? '1,4,16').split(',').map(Number);
const SCHEMA = `
create table oauth_codes (code_hash text primary key, client_id text not null, user_id text not null, grant_id text not null, scopes text not null, redirect_uri text not null, code_challenge text, expires_at integer not null, used_at integer, created_at integer not null, oidc text, redirect_host_bound integer default 0 not null);
create index oauth_codes_expires on oauth_codes (expires_at);
create table oauth_tokens (token_hash text primary key, kind text not null, grant_id text not null, client_id text not null, user_id text not null, scopes text not null, token_type text not null, family_id text not null, expires_at integer not null, used_at integer, revoked_at integer, created_at integer not null, oidc text);
create index oauth_tokens_grant on oauth_tokens (grant_id);
create index oauth_tokens_family on oauth_tokens (family_id);
create table audit_events (id integer primary key, at integer not null, type text not null, actor text, subject text, client_id text, ip text, detail text not null);
create index audit_events_at on audit_events (at);
create index audit_events_actor on audit_events (actor);
create index audit_events_client on audit_events (client_id);
`;
const hex = () => createHash('sha256').update(randomBytes(24)).digest('hex');
const GRANT = 'grant-0',
  CLIENT = '2882303761517748392',
  USER = '5795426992';

function run(batch) {
  const dir = mkdtempSync(join(tmpdir(), 'opal-batching-'));
  const path = join(dir, 'db.sqlite');
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec(SCHEMA);
  const now0 = Date.now();
  const code = db.prepare('insert into oauth_codes values (?,?,?,?,?,?,null,?,null,?,null,0)');
  const token = db.prepare('insert into oauth_tokens values (?,?,?,?,?,?,?,?,?,null,null,?,null)');
  const audit = db.prepare('insert into audit_events (at, type, actor, subject, client_id, ip, detail) values (?,?,null,?,?,?,?)');
  // A store that has served a while: 40,000 earlier exchanges, then the codes to redeem.
  db.transaction(() => {
    for (let i = 0; i < 40_000; i++) {
      const fam = hex();
      token.run(hex(), 'access', GRANT, CLIENT, USER, '1,3', 'mac', fam, now0, now0);
      token.run(hex(), 'refresh', GRANT, CLIENT, USER, '1,3', 'mac', fam, now0, now0);
      audit.run(now0, 'oauth.token.issue', USER, CLIENT, '127.0.0.1', '{"grant":"authorization_code"}');
    }
  })();
  const codes = [];
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const h = hex();
      codes.push(h);
      code.run(h, CLIENT, USER, GRANT, '1,3', 'https://app.example.com/cb', now0 + 600_000, now0);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const copier = new SQLite(path);
  copier.pragma('synchronous = OFF');
  const used = db.prepare('update oauth_codes set used_at = ? where code_hash = ? and used_at is null');
  const [begin, commit, savepoint, release] = ['begin', 'commit', 'savepoint x', 'release x'].map((s) => db.prepare(s));
  const exchange = (h) => {
    const now = Date.now();
    used.run(now, h);
    token.run(hex(), 'access', GRANT, CLIENT, USER, '1,3', 'mac', h, now + 7_776_000_000, now);
    token.run(hex(), 'refresh', GRANT, CLIENT, USER, '1,3', 'mac', h, now + 315_360_000_000, now);
    audit.run(now, 'oauth.token.issue', USER, CLIENT, '127.0.0.1', '{"grant":"authorization_code"}');
  };
  let frames = 0;
  let sinceCheckpoint = 0;
  const checkpoint = () => {
    frames += copier.pragma('wal_checkpoint(PASSIVE)')[0].checkpointed;
    sinceCheckpoint = 0;
  };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i += batch) {
    begin.run();
    for (let j = i; j < Math.min(i + batch, n); j++) {
      if (batch > 1) savepoint.run();
      exchange(codes[j]);
      if (batch > 1) release.run();
    }
    commit.run();
    sinceCheckpoint += batch;
    if (sinceCheckpoint >= 1000) checkpoint();
  }
  checkpoint();
  const cpu = process.cpuUsage(cpu0);
  copier.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { batch, cpuUs: (cpu.user + cpu.system) / n, frames: frames / n };
}

console.log('| exchanges per transaction | CPU per exchange (µs) | log frames per exchange |');
console.log('|---:|---:|---:|');
for (const b of batches) {
  const r = run(b);
  console.log(`| ${r.batch} | ${r.cpuUs.toFixed(1)} | ${r.frames.toFixed(2)} |`);
}

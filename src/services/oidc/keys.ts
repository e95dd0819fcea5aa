// id_token signing keys: one signing key per algorithm (RS256, ES256) stored in the database, the
// private half sealed with the server secret (lib/secret-box.ts). `rotate` makes new keys sign at
// once and retires the old ones, which stay published at /jwks.json until every id_token they
// signed has expired (the id_token lifetime plus a margin for clock skew), then are purged.
// Every node reads the keys from the database, so a rotation (`opal keys rotate`) reaches all nodes.
import type { importJWK, JWK } from 'jose';
import type { IdTokenAlg } from '../../core/oidc/hashes.ts';
import { ID_TOKEN_ALGS } from '../../core/oidc/hashes.ts';
import { openSecret, sealSecret } from '../../lib/secret-box.ts';
import type { OidcKeyRow, OidcRepo } from '../../store/db/oidc-repo.ts';
import { loadJose } from './jose.ts';

/** Lifetime of an id_token, seconds. */
export const ID_TOKEN_LIFETIME_SEC = 3600;
/** Retired keys stay published this long after retirement: every id_token they signed has expired by then. */
export const RETIRED_KEY_RETENTION_MS = (ID_TOKEN_LIFETIME_SEC + 300) * 1000;

export interface SigningKey {
  kid: string;
  alg: IdTokenAlg;
  key: Awaited<ReturnType<typeof importJWK>>;
}

export interface KeyInfo {
  kid: string;
  alg: string;
  createdAt: number;
  retiredAt: number | null;
}

const sealContext = (kid: string) => `oidc-key:${kid}`;

export class OidcKeys {
  /** Imported private keys by kid; only keys that still sign are kept (bounded by the algorithms). */
  private readonly imported = new Map<string, SigningKey>();

  constructor(
    private readonly repo: OidcRepo,
    private readonly serverSecret: () => string,
    private readonly now: () => number,
  ) {}

  private rows(): Promise<OidcKeyRow[]> {
    return this.repo.keys(this.now() - RETIRED_KEY_RETENTION_MS);
  }

  private async create(alg: IdTokenAlg): Promise<OidcKeyRow> {
    const { calculateJwkThumbprint, exportJWK, generateKeyPair } = await loadJose();
    const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const pub = await exportJWK(pair.publicKey);
    const priv = await exportJWK(pair.privateKey);
    const kid = `${alg.toLowerCase()}-${(await calculateJwkThumbprint(pub)).slice(0, 16)}`;
    const publicJwk: JWK = { ...pub, kid, alg, use: 'sig' };
    const row: OidcKeyRow = {
      kid,
      alg,
      public_jwk: JSON.stringify(publicJwk),
      private_jwk: sealSecret(this.serverSecret(), sealContext(kid), JSON.stringify(priv)),
      created_at: this.now(),
      retired_at: null,
    };
    await this.repo.insertKey(row);
    return row;
  }

  /** The key that signs new id_tokens of `alg` (created on first use). */
  async signing(alg: IdTokenAlg): Promise<SigningKey> {
    const fence = this.repo.readFence();
    const found = (await this.rows()).find((r) => r.alg === alg && r.retired_at === null);
    if (found) {
      const cached = this.imported.get(found.kid);
      if (cached) return cached;
      // A key first seen here may be one another request is creating: it signs nothing before it
      // is durable (a token signed with a key that is then lost could never be verified).
      await fence();
    }
    const row = found ?? (await this.create(alg));
    const cached = this.imported.get(row.kid);
    if (cached) return cached;
    const json = openSecret(this.serverSecret(), sealContext(row.kid), row.private_jwk);
    if (json === undefined) throw new Error(`OIDC key ${row.kid}: the sealed private key does not open with this server secret`);
    const key: SigningKey = { kid: row.kid, alg, key: await (await loadJose()).importJWK(JSON.parse(json) as JWK, alg) };
    for (const [kid, k] of this.imported) if (k.alg === alg) this.imported.delete(kid);
    this.imported.set(row.kid, key);
    return key;
  }

  /** The published key set: signing keys and retired keys whose id_tokens may still be valid. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.rows();
    if (!ID_TOKEN_ALGS.every((alg) => rows.some((r) => r.alg === alg && r.retired_at === null))) {
      for (const alg of ID_TOKEN_ALGS) await this.signing(alg);
      return this.jwks();
    }
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
  }

  /** New signing keys for every algorithm; the previous ones retire (still published for a while). */
  async rotate(): Promise<KeyInfo[]> {
    const out: KeyInfo[] = [];
    for (const alg of ID_TOKEN_ALGS) {
      const row = await this.create(alg);
      await this.repo.retireOthers(alg, row.kid, this.now());
      out.push({ kid: row.kid, alg, createdAt: row.created_at, retiredAt: null });
    }
    await this.repo.purgeKeys(this.now() - RETIRED_KEY_RETENTION_MS);
    return out;
  }

  async list(): Promise<KeyInfo[]> {
    return (await this.rows()).map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.created_at, retiredAt: r.retired_at }));
  }

  /** Drops keys whose id_tokens have all expired (housekeeping). */
  purgeRetired(): Promise<number> {
    return this.repo.purgeKeys(this.now() - RETIRED_KEY_RETENTION_MS);
  }
}

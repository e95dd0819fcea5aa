// A second OAuth service over a test context's own store, reading the time from the test's clock,
// for rules decided at an exact millisecond (expiry boundaries, timestamps of what it writes).
import { LIFETIMES } from '../../src/core/account/lifetimes.ts';
import { OAuthService } from '../../src/services/oauth/oauth-service.ts';
import { OAuthCodesRepo } from '../../src/store/db/oauth-codes-repo.ts';
import { OAuthGrantsRepo } from '../../src/store/db/oauth-grants-repo.ts';
import { OAuthTokensRepo } from '../../src/store/db/oauth-tokens-repo.ts';
import type { TestContext } from './env.ts';

/** The service at `now()`; with `transactions: false`, without the database handle it runs transactions on. */
export function oauthOnClock(t: TestContext, now: () => number, { transactions = true } = {}): OAuthService {
  return new OAuthService({
    grants: new OAuthGrantsRepo(t.ctx.db.kysely),
    codes: new OAuthCodesRepo(t.ctx.db.kysely),
    tokens: new OAuthTokensRepo(t.ctx.db.kysely),
    apps: t.ctx.services.apps,
    audit: t.ctx.services.audit,
    cache: () => t.ctx.cache,
    serverSecret: t.ctx.serverSecret,
    lifetimes: LIFETIMES.legacy,
    ...(transactions ? { db: t.ctx.db.kysely } : {}),
    now,
  });
}

// One StorageTokenService per context (sites and CLI share it without widening Context).
import type { Context } from '../context.ts';
import { StorageTokensRepo } from '../store/db/storage-tokens-repo.ts';
import { StorageTokenService } from './service.ts';

const services = new WeakMap<Context, StorageTokenService>();

export function storageTokens(ctx: Context): StorageTokenService {
  let s = services.get(ctx);
  if (!s) {
    s = new StorageTokenService({
      config: ctx.config,
      repo: new StorageTokensRepo(ctx.db.kysely),
      apps: ctx.services.apps,
      audit: ctx.services.audit,
      cache: () => ctx.cache,
      oauth: ctx.services.oauth,
    });
    services.set(ctx, s);
  }
  return s;
}

export { FDS_SID, type StorageCaller, StorageTokenService } from './service.ts';

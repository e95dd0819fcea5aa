// The passbook service of a context (built on first use, one per context).
import type { Context } from '../context.ts';
import { PassbookRepo } from '../store/db/passbook-repo.ts';
import { PassbookService } from './service.ts';

const services = new WeakMap<Context, PassbookService>();

export function passbookOf(ctx: Context): PassbookService {
  let s = services.get(ctx);
  if (!s) {
    s = new PassbookService(new PassbookRepo(ctx.db.kysely), ctx.services.apps, ctx.services.users, ctx.services.audit);
    services.set(ctx, s);
  }
  return s;
}

// Row counts for the admin API's system status.
import type { Kysely } from 'kysely';
import { CURRENT } from './fds/current.ts';
import type { Database } from './schema.ts';

export interface StoreCounts {
  users: number;
  developers: number;
  apps: number;
  grants: number;
  buckets: number;
  objects: number;
  auditEvents: number;
}

export class StatsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async counts(): Promise<StoreCounts> {
    const count = async (table: 'users' | 'developers' | 'apps' | 'oauth_grants' | 'fds_buckets' | 'audit_events') => {
      const r = await this.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    };
    const objects = await this.db
      .selectFrom('fds_objects')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('is_current', '=', CURRENT)
      .executeTakeFirstOrThrow();
    return {
      users: await count('users'),
      developers: await count('developers'),
      apps: await count('apps'),
      grants: await count('oauth_grants'),
      buckets: await count('fds_buckets'),
      objects: Number(objects.n),
      auditEvents: await count('audit_events'),
    };
  }

  /** Users per role. */
  async roles(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('users')
      .select((eb) => ['role', eb.fn.countAll().as('n')])
      .groupBy('role')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.role, Number(r.n)]));
  }
}

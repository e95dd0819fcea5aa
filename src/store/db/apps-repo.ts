// Apps: rows with their JSON flags and scope list parsed (and written back as text).
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { AppFlags } from '../../core/account/app-flags.ts';
import { scopeIds } from '../../core/account/scope.ts';
import type { AppsTable } from './core-tables.ts';
import { fromJsonColumn, toJsonColumn } from './json-column.ts';
import type { Database } from './schema.ts';

export type AppRow = Omit<Selectable<AppsTable>, 'flags' | 'scopes'> & {
  /** Enabled scope ids. */
  scopes: number[];
  flags: AppFlags;
};

export type AppPatch = Omit<Updateable<AppsTable>, 'flags' | 'scopes'> & { scopes?: number[]; flags?: AppFlags };

function fromRow(r: Selectable<AppsTable>): AppRow {
  return { ...r, scopes: scopeIds(r.scopes), flags: fromJsonColumn<AppFlags>(r.flags, 'apps.flags') };
}

function toColumns<P extends { scopes?: number[]; flags?: AppFlags }>(p: P) {
  const { scopes, flags, ...rest } = p;
  return {
    ...rest,
    ...(scopes !== undefined ? { scopes: scopes.join(',') } : {}),
    ...(flags !== undefined ? { flags: toJsonColumn(flags) } : {}),
  };
}

export class AppsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: AppRow): Promise<void> {
    const { scopes, flags, ...rest } = row;
    await this.db
      .insertInto('apps')
      .values({ ...rest, scopes: scopes.join(','), flags: toJsonColumn(flags) })
      .execute();
  }

  async byId(clientId: string): Promise<AppRow | undefined> {
    const r = await this.db.selectFrom('apps').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async list(developerId?: string): Promise<AppRow[]> {
    let q = this.db.selectFrom('apps').selectAll();
    if (developerId) q = q.where('developer_id', '=', developerId);
    return (await q.orderBy('created_at').orderBy('client_id').execute()).map(fromRow);
  }

  async update(clientId: string, patch: AppPatch): Promise<boolean> {
    const r = await this.db.updateTable('apps').set(toColumns(patch)).where('client_id', '=', clientId).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async delete(clientId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('apps').where('client_id', '=', clientId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}

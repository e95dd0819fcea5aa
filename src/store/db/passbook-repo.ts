import type { Kysely } from 'kysely';
import type { PassesTable, PassPlansTable } from './passbook-tables.ts';
import type { Database } from './schema.ts';

export type PassPlanRow = PassPlansTable;
export type PassRow = PassesTable;

export interface PassFilter {
  clientId?: string | undefined;
  userId?: string | undefined;
  planId?: string | undefined;
  includeRevoked?: boolean | undefined;
}

/** Pass plans and passes. */
export class PassbookRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insertPlan(row: PassPlanRow): Promise<void> {
    await this.db.insertInto('pass_plans').values(row).execute();
  }

  async plan(planId: string): Promise<PassPlanRow | undefined> {
    return this.db.selectFrom('pass_plans').selectAll().where('plan_id', '=', planId).executeTakeFirst();
  }

  async plans(clientId?: string): Promise<PassPlanRow[]> {
    let q = this.db.selectFrom('pass_plans').selectAll();
    if (clientId) q = q.where('client_id', '=', clientId);
    return q.orderBy('created_at').orderBy('plan_id').execute();
  }

  async insertPass(row: PassRow): Promise<void> {
    await this.db.insertInto('passes').values(row).execute();
  }

  async pass(passId: string): Promise<PassRow | undefined> {
    return this.db.selectFrom('passes').selectAll().where('pass_id', '=', passId).executeTakeFirst();
  }

  async passes(f: PassFilter): Promise<PassRow[]> {
    let q = this.db.selectFrom('passes').selectAll();
    if (f.clientId) q = q.where('client_id', '=', f.clientId);
    if (f.userId) q = q.where('user_id', '=', f.userId);
    if (f.planId) q = q.where('plan_id', '=', f.planId);
    if (!f.includeRevoked) q = q.where('revoked_at', 'is', null);
    return q.orderBy('created_at').orderBy('pass_id').execute();
  }

  /**
   * Live passes of one app for a holder: issued to the user without a device, plus — when an IMEI
   * hash is given — those bound to that device (for this user or for the device alone).
   */
  async holderPasses(clientId: string, userId: string, imeiMd5: string | undefined): Promise<PassRow[]> {
    return this.db
      .selectFrom('passes')
      .selectAll()
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .where((eb) => {
        const mine = eb.and([eb('user_id', '=', userId), eb('imei_md5', 'is', null)]);
        if (!imeiMd5) return mine;
        const device = eb.and([eb('imei_md5', '=', imeiMd5), eb.or([eb('user_id', '=', userId), eb('user_id', 'is', null)])]);
        return eb.or([mine, device]);
      })
      .orderBy('created_at')
      .orderBy('pass_id')
      .execute();
  }

  async revoke(passId: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('passes')
      .set({ revoked_at: at })
      .where('pass_id', '=', passId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}

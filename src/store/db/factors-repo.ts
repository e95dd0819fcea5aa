// Second factors and recovery codes (user_factors, recovery_codes). Uses of a TOTP step and of a
// recovery code are single conditional updates, so two concurrent sign-ins cannot both spend one.
import type { Kysely, Selectable } from 'kysely';
import type { UserFactorsTable } from './factor-tables.ts';
import type { Database } from './schema.ts';

export type FactorRow = Selectable<UserFactorsTable>;

export class FactorsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: FactorRow): Promise<void> {
    await this.db.insertInto('user_factors').values(row).execute();
  }

  list(userId: string): Promise<FactorRow[]> {
    return this.db
      .selectFrom('user_factors')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('factor_id')
      .execute();
  }

  byCredentialId(credentialId: string): Promise<FactorRow | undefined> {
    return this.db.selectFrom('user_factors').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  }

  async delete(userId: string, factorId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('user_factors').where('user_id', '=', userId).where('factor_id', '=', factorId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Records a TOTP code of `step` as used: false when that step (or a later one) was used already. */
  async useStep(factorId: string, step: number, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('user_factors')
      .set({ last_step: step, last_used_at: at })
      .where('factor_id', '=', factorId)
      .where((w) => w.or([w('last_step', 'is', null), w('last_step', '<', step)]))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async touchPasskey(factorId: string, signCount: number, at: number): Promise<void> {
    await this.db.updateTable('user_factors').set({ sign_count: signCount, last_used_at: at }).where('factor_id', '=', factorId).execute();
  }

  /** Replaces the user's recovery codes with `hashes`. */
  async replaceRecoveryCodes(userId: string, hashes: string[], at: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (hashes.length > 0) {
        await trx
          .insertInto('recovery_codes')
          .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, created_at: at, used_at: null })))
          .execute();
      }
    });
  }

  async deleteRecoveryCodes(userId: string): Promise<void> {
    await this.db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  }

  /** Spends an unused recovery code: true when this call spent it. */
  async useRecoveryCode(userId: string, hash: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('recovery_codes')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    const r = await this.db
      .selectFrom('recovery_codes')
      .select((e) => e.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

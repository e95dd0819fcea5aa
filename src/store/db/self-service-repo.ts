// Invites, pending sign-ups and password recoveries (tables in self-service-tables.ts).
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';
import type { PasswordResetsTable, SignupInvitesTable, SignupPendingTable } from './self-service-tables.ts';

export type InviteRow = Selectable<SignupInvitesTable>;
export type PendingRow = Selectable<SignupPendingTable>;
export type ResetRow = Selectable<PasswordResetsTable>;

export class SelfServiceRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insertInvite(row: InviteRow): Promise<void> {
    await this.db.insertInto('signup_invites').values(row).execute();
  }

  invite(codeHash: string): Promise<InviteRow | undefined> {
    return this.db.selectFrom('signup_invites').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  }

  listInvites(): Promise<InviteRow[]> {
    return this.db.selectFrom('signup_invites').selectAll().orderBy('created_at', 'desc').execute();
  }

  /** Marks an unused, unexpired invite used; true only for the first caller. */
  async useInvite(codeHash: string, userId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('signup_invites')
      .set({ used_at: now, used_by: userId })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async insertPending(row: PendingRow): Promise<void> {
    await this.db.insertInto('signup_pending').values(row).execute();
  }

  pending(flowHash: string, now: number): Promise<PendingRow | undefined> {
    return this.db
      .selectFrom('signup_pending')
      .selectAll()
      .where('flow_hash', '=', flowHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  /** Counts one code attempt; returns the attempts made so far (including this one), 0 if gone. */
  async countAttempt(table: 'signup_pending' | 'password_resets', flowHash: string): Promise<number> {
    await this.db
      .updateTable(table)
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('flow_hash', '=', flowHash)
      .execute();
    const r = await this.db.selectFrom(table).select('attempts').where('flow_hash', '=', flowHash).executeTakeFirst();
    return r ? Number(r.attempts) : 0;
  }

  async markPendingVerified(flowHash: string, account: string, now: number): Promise<void> {
    await this.db.updateTable('signup_pending').set({ verified_at: now, account }).where('flow_hash', '=', flowHash).execute();
  }

  async deletePending(flowHash: string): Promise<void> {
    await this.db.deleteFrom('signup_pending').where('flow_hash', '=', flowHash).execute();
  }

  async insertReset(row: ResetRow): Promise<void> {
    await this.db.insertInto('password_resets').values(row).execute();
  }

  reset(flowHash: string, now: number): Promise<ResetRow | undefined> {
    return this.db
      .selectFrom('password_resets')
      .selectAll()
      .where('flow_hash', '=', flowHash)
      .where('expires_at', '>', now)
      .where('used_at', 'is', null)
      .executeTakeFirst();
  }

  /** Uses a recovery once: true only for the first caller; every other recovery of the user ends too. */
  async useReset(flowHash: string, userId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('flow_hash', '=', flowHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (r.numUpdatedRows === 0n) return false;
    await this.db.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
    return true;
  }

  async purge(before: number): Promise<void> {
    await this.db.deleteFrom('signup_pending').where('expires_at', '<', before).execute();
    await this.db.deleteFrom('password_resets').where('expires_at', '<', before).execute();
  }
}

// The FDS blob collection queue (fds_blob_gc): a blob is 'pending' while its upload runs (a crash
// leaves it there for the sweeper) and 'dead' once no metadata references it; an entry goes when
// the blob is committed or deleted.
import type { FdsDb } from './transactions.ts';

export class FdsBlobGcRepo {
  constructor(private readonly d: FdsDb) {}

  async pending(key: string): Promise<void> {
    await this.d.db.insertInto('fds_blob_gc').values({ blob_key: key, state: 'pending', at: this.d.now() }).execute();
  }

  async drop(key: string): Promise<void> {
    await this.d.db.deleteFrom('fds_blob_gc').where('blob_key', '=', key).execute();
  }

  /**
   * Dead blobs, and pending ones older than `pendingBefore` (uploads that never committed); only
   * once what the read saw is durable (a blob marked dead by a write that is then lost is still
   * referenced).
   */
  async collectable(pendingBefore: number, limit: number): Promise<string[]> {
    const durable = this.d.readFence();
    const rows = await this.d.db
      .selectFrom('fds_blob_gc')
      .select('blob_key')
      .where((eb) => eb.or([eb('state', '=', 'dead'), eb.and([eb('state', '=', 'pending'), eb('at', '<', pendingBefore)])]))
      .limit(limit)
      .execute();
    await durable();
    return rows.map((r) => r.blob_key);
  }
}

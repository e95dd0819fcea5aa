// The apps repository returns parsed rows (flags object, scope ids) and writes them back as text;
// a flags column that is not JSON is an error, never an app with default flags.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppsRepo } from '../../../src/store/db/apps-repo.ts';
import { createTestContext, dbBackends } from '../../helpers/env.ts';

for (const backend of dbBackends())
  describe(`apps repository (${backend})`, () => {
    test('flags and scopes are stored as text and read back parsed', async () => {
      const t = await createTestContext({ backend });
      try {
        const { app } = await t.ctx.services.apps.create({
          name: 'Parsed',
          redirectUris: 'https://app.example.com/cb',
          scopes: [1, 3],
          flags: { bearer: true },
        });
        const raw = await t.ctx.db.kysely
          .selectFrom('apps')
          .select(['flags', 'scopes'])
          .where('client_id', '=', app.clientId)
          .executeTakeFirstOrThrow();
        assert.deepEqual(raw, { flags: '{"bearer":true}', scopes: '1,3' });
        const repo = new AppsRepo(t.ctx.db.kysely);
        const row = await repo.byId(app.clientId);
        assert.deepEqual(row?.flags, { bearer: true });
        assert.deepEqual(row?.scopes, [1, 3]);
        assert.equal(await repo.update(app.clientId, { flags: { requireMac: true }, scopes: [6] }), true);
        const updated = await repo.byId(app.clientId);
        assert.deepEqual([updated?.flags, updated?.scopes], [{ requireMac: true }, [6]]);
        assert.deepEqual((await repo.list()).find((a) => a.client_id === app.clientId)?.flags, { requireMac: true });

        await t.ctx.db.kysely.updateTable('apps').set({ flags: '{broken' }).where('client_id', '=', app.clientId).execute();
        await assert.rejects(repo.byId(app.clientId), /column apps\.flags holds malformed JSON/);
      } finally {
        await t.close();
      }
    });
  });

// OPAL_SEED_FILE: applied on start, again on every start without changing anything, with fixed
// client ids and secrets that the token endpoint accepts; bad fixtures refused with their path.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/lib/errors.ts';
import { provision } from '../../src/services/provision.ts';
import { readSeedFile } from '../../src/services/seed-file.ts';
import { startTestServer, type TestServer, tmpDir } from '../helpers/env.ts';

const FIXTURE = {
  users: [
    { account: 'seed-dev', password: 'seed-dev-pass', role: 'developer' },
    { account: 'seed-alice', password: 'seed-alice-pass', nickname: 'Alice' },
    { account: 'seed-bob', password: 'seed-bob-pass' },
  ],
  apps: [
    {
      clientId: '2882303761517000001',
      clientSecret: 'fixed-secret-for-ci-0001',
      name: 'CI app',
      redirectUris: 'https://ci.example/cb',
      scopes: [1, 3],
      developer: 'seed-dev',
      flags: { exactRedirect: true },
    },
  ],
  friends: [['seed-alice', 'seed-bob']],
  buckets: [{ name: 'seed-bucket', developer: 'seed-dev' }],
};

describe('OPAL_SEED_FILE', () => {
  const dir = tmpDir('opal-seed-');
  const file = join(dir.path, 'seed.json');
  writeFileSync(file, JSON.stringify(FIXTURE));
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: { OPAL_SEED_FILE: file } });
  });
  after(async () => {
    await t.close();
    dir.remove();
  });

  it('is applied on start: users with roles, the app with its fixed id and secret, friends, the bucket', async () => {
    const s = t.ctx.services;
    const dev = await s.users.find('seed-dev');
    assert.equal(dev?.role, 'developer');
    assert.ok(await s.users.authenticate('seed-alice', 'seed-alice-pass'));
    const app = await s.apps.require('2882303761517000001');
    const devRecord = await s.apps.developerOfUser(dev?.userId ?? '');
    assert.equal(app.developerId, devRecord?.id);
    assert.deepEqual(app.flags, { exactRedirect: true });
    assert.ok(await s.apps.verifySecret(app.clientId, 'fixed-secret-for-ci-0001'));
    assert.ok(await s.fdsKeys.forApp(app.clientId));
    const alice = await s.users.find('seed-alice');
    const bob = await s.users.find('seed-bob');
    assert.deepEqual(await s.friends.list(alice?.userId ?? ''), [bob?.userId]);
    assert.equal((await s.fds.repos.buckets.get('seed-bucket'))?.owner_id, devRecord?.id);
    // The token endpoint knows the fixed secret (a refusal about the code, not the client).
    const q = new URLSearchParams({
      client_id: app.clientId,
      client_secret: 'fixed-secret-for-ci-0001',
      grant_type: 'authorization_code',
      code: 'nope',
      redirect_uri: 'https://ci.example/cb',
    });
    const body = await (await fetch(`${t.accountUrl}/oauth2/token?${q}`)).text();
    assert.match(body, /"error_description":"invalid authorization code"/);
  });

  it('applying it again changes nothing, and never overwrites what exists', async () => {
    const s = t.ctx.services;
    await s.users.setPassword((await s.users.find('seed-alice'))?.userId ?? '', 'changed-pass-1');
    const again = await provision({ adminAccount: undefined, adminPassword: undefined, seedFile: file }, s);
    assert.deepEqual(again.seeded, { users: [], apps: [], friends: 0, buckets: [] });
    assert.ok(await s.users.authenticate('seed-alice', 'changed-pass-1'));
  });

  it('refuses a malformed fixture with the path of the problem', async () => {
    const bad = join(dir.path, 'bad.json');
    writeFileSync(bad, JSON.stringify({ apps: [{ clientId: 1 }] }));
    await assert.rejects(readSeedFile(bad), (e: Error) => e instanceof InvalidInputError && /\/apps\/0/.test(e.message));
    writeFileSync(bad, JSON.stringify({ apps: [{ ...FIXTURE.apps[0], flags: { fast: true } }] }));
    await assert.rejects(readSeedFile(bad), /unknown flag "fast"/);
    writeFileSync(bad, '{');
    await assert.rejects(readSeedFile(bad), /cannot read/);
  });
});

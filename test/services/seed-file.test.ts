// OPAL_SEED_FILE: applied on start, again on every start without changing anything, with fixed
// client ids and secrets that the token endpoint accepts; bad fixtures refused with their path and
// line. YAML and JSON, the format by extension or content.
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
    await assert.rejects(readSeedFile(bad), /cannot parse .*line 1/);
    writeFileSync(bad, '{\n  "users": [\n    { "account": "x", "password": "y", "extra": 1 }\n  ]\n}\n');
    await assert.rejects(readSeedFile(bad), (e: Error) => e.message.includes(`${bad}:3: /users/0/extra`));
    await assert.rejects(readSeedFile(join(dir.path, 'missing.yaml')), /cannot read/);
  });
});

// The fixture above, written as a person writes YAML: block and flow styles, comments, a quoted id.
const FIXTURE_YAML = `# CI fixture
users:
  - { account: seed-dev, password: seed-dev-pass, role: developer }
  - account: seed-alice
    password: seed-alice-pass
    nickname: Alice
  - account: seed-bob
    password: seed-bob-pass
apps:
  - clientId: "2882303761517000001"
    clientSecret: fixed-secret-for-ci-0001
    name: CI app
    redirectUris: https://ci.example/cb
    scopes: [1, 3]
    developer: seed-dev
    flags:
      exactRedirect: true
friends:
  - [seed-alice, seed-bob]
buckets:
  - name: seed-bucket
    developer: seed-dev
`;

describe('OPAL_SEED_FILE in YAML', () => {
  const dir = tmpDir('opal-seed-yaml-');
  const file = join(dir.path, 'seed.yaml');
  writeFileSync(file, FIXTURE_YAML);
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: { OPAL_SEED_FILE: file } });
  });
  after(async () => {
    await t.close();
    dir.remove();
  });

  it('reads as the same fixture as the JSON file, by extension or by content', async () => {
    assert.deepEqual(await readSeedFile(file), FIXTURE);
    const noExt = join(dir.path, 'fixture');
    writeFileSync(noExt, FIXTURE_YAML);
    assert.deepEqual(await readSeedFile(noExt), FIXTURE);
    writeFileSync(noExt, JSON.stringify(FIXTURE));
    assert.deepEqual(await readSeedFile(noExt), FIXTURE);
  });

  it('is applied on start, and applying it again changes nothing', async () => {
    const s = t.ctx.services;
    assert.equal((await s.users.find('seed-dev'))?.role, 'developer');
    assert.ok(await s.users.authenticate('seed-alice', 'seed-alice-pass'));
    const app = await s.apps.require('2882303761517000001');
    assert.deepEqual(app.flags, { exactRedirect: true });
    assert.ok(await s.apps.verifySecret(app.clientId, 'fixed-secret-for-ci-0001'));
    const [alice, bob] = [await s.users.find('seed-alice'), await s.users.find('seed-bob')];
    assert.deepEqual(await s.friends.list(alice?.userId ?? ''), [bob?.userId]);
    assert.ok(await s.fds.repos.buckets.get('seed-bucket'));
    const again = await provision({ adminAccount: undefined, adminPassword: undefined, seedFile: file }, s);
    assert.deepEqual(again.seeded, { users: [], apps: [], friends: 0, buckets: [] });
  });

  it('names the line of a mistake: syntax, a wrong type, a missing field, an unknown flag', async () => {
    const bad = join(dir.path, 'bad.yml');
    const refusal = async (text: string, expected: string) => {
      writeFileSync(bad, text);
      await assert.rejects(readSeedFile(bad), (e: Error) => {
        assert.ok(e instanceof InvalidInputError);
        assert.ok(e.message.includes(expected), `${e.message} lacks ${expected}`);
        return true;
      });
    };
    // A bare number is a number in YAML, not the string a client id is.
    await refusal(FIXTURE_YAML.replace('"2882303761517000001"', '2882303761517000001'), `${bad}:10: /apps/0/clientId`);
    await refusal(FIXTURE_YAML.replace('    password: seed-bob-pass\n', ''), `${bad}:7: /users/2/password`);
    await refusal(FIXTURE_YAML.replace('exactRedirect: true', 'fast: true'), `${bad}:17: app 2882303761517000001: unknown flag "fast"`);
    await refusal(FIXTURE_YAML.replace('  - [seed-alice, seed-bob]', '  - [seed-alice, seed-bob'), 'cannot parse');
    await refusal('users:\n  - account: a\n    account: b\n', 'line 3');
    await refusal('users:\n  - account: a\n\tpassword: b\n', 'line 3');
  });
});

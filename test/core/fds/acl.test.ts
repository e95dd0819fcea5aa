// The FDS ACL model (fds-protocol §7, §2.6) rule by rule: policy bodies and their error messages,
// grant-type inference, merge and remove, the grant list and policy a client reads, the caller's
// mask, and canned ACL headers. protocol.test.ts has the overview; test/core/fuzz/acl.test.ts the
// properties over hostile input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_USERS,
  ANONYMOUS,
  AUTHENTICATED_USERS,
  cannedAcl,
  type FdsIdentity,
  grantList,
  has,
  maskFor,
  mergeAcl,
  ownerAcl,
  PERMISSIONS,
  parsePolicy,
  policy,
  removeAcl,
} from '../../../src/core/fds/acl.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';

const refused = (fn: () => unknown, detail: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FdsError);
    assert.equal(e.code, 'InvalidRequest');
    assert.equal(e.status, 400);
    assert.equal(e.detail, detail);
    return true;
  });

describe('ACL constants', () => {
  it('the owner ACL is FULL_CONTROL for the owner as a USER', () => {
    assert.deepEqual(ownerAcl('dev-1'), { 'dev-1:USER': 0xff });
  });

  it('the anonymous identity has no ids, owns nothing and never counts SSO_WRITE', () => {
    assert.deepEqual(ANONYMOUS, {
      kind: 'anonymous',
      grantIds: [],
      ownerId: undefined,
      creatorId: undefined,
      ssoWrite: false,
      displayName: 'anonymous',
    });
  });
});

describe('parsePolicy (§7.2)', () => {
  it('each permission name gives its bit mask; the owner field is ignored', () => {
    const body = {
      owner: { id: 'someone-else' },
      accessControlList: (['READ', 'WRITE', 'READ_OBJECTS', 'SSO_WRITE', 'FULL_CONTROL'] as const).map((permission) => ({
        grantee: { id: 'u' },
        permission,
        type: 'USER',
      })),
    };
    assert.deepEqual(parsePolicy(body), [
      ['u:USER', 1],
      ['u:USER', 2],
      ['u:USER', 4],
      ['u:USER', 8],
      ['u:USER', 0xff],
    ]);
  });

  it('a grant without a type (or type null) is a GROUP grant when it names a group, else USER; an explicit type wins', () => {
    const grants = [
      { grantee: { id: ALL_USERS }, permission: 'READ' },
      { grantee: { id: AUTHENTICATED_USERS }, permission: 'READ', type: null },
      { grantee: { id: 'dev' }, permission: 'READ' },
      { grantee: { id: 'dev' }, permission: 'READ', type: null },
      { grantee: { id: ALL_USERS }, permission: 'WRITE', type: 'USER' },
      { grantee: { id: 'team' }, permission: 'WRITE', type: 'GROUP' },
      { grantee: { id: 'all_users' }, permission: 'READ' },
      { grantee: { id: 'a:b' }, permission: 'READ' },
    ];
    assert.deepEqual(parsePolicy({ accessControlList: grants }), [
      ['ALL_USERS:GROUP', 1],
      ['AUTHENTICATED_USERS:GROUP', 1],
      ['dev:USER', 1],
      ['dev:USER', 1],
      ['ALL_USERS:USER', 2],
      ['team:GROUP', 2],
      ['all_users:USER', 1],
      ['a:b:USER', 1],
    ]);
  });

  it('an absent or null list is no grants', () => {
    assert.deepEqual(parsePolicy({}), []);
    assert.deepEqual(parsePolicy({ accessControlList: null }), []);
    assert.deepEqual(parsePolicy({ accessControlList: [] }), []);
  });

  it('grantee ids are 1 to 256 characters', () => {
    assert.deepEqual(parsePolicy({ accessControlList: [{ grantee: { id: 'x'.repeat(256) }, permission: 'READ' }] }), [
      [`${'x'.repeat(256)}:USER`, 1],
    ]);
    refused(
      () => parsePolicy({ accessControlList: [{ grantee: { id: 'x'.repeat(257) }, permission: 'READ' }] }),
      'ACL body: accessControlList/0/grantee/id: Expected string length less or equal to 256',
    );
    refused(
      () => parsePolicy({ accessControlList: [{ grantee: { id: '' }, permission: 'READ' }] }),
      'ACL body: accessControlList/0/grantee/id: Expected string length greater or equal to 1',
    );
  });

  it('a malformed body is a 400 InvalidRequest naming the field', () => {
    refused(() => parsePolicy(5), 'ACL body: Expected object');
    refused(() => parsePolicy({ accessControlList: 5 }), 'ACL body: accessControlList: Expected union value');
    refused(
      () => parsePolicy({ accessControlList: [{ grantee: { id: 'x' }, permission: 'ALL' }] }),
      'ACL body: accessControlList/0/permission: Expected union value',
    );
    refused(
      () => parsePolicy({ accessControlList: [{ grantee: { id: 'x' }, permission: 'READ', type: 'ROLE' }] }),
      'ACL body: accessControlList/0/type: Expected union value',
    );
    refused(
      () =>
        parsePolicy({
          accessControlList: [
            { grantee: { id: 'x' }, permission: 'READ' },
            { grantee: 5, permission: 'READ' },
          ],
        }),
      'ACL body: accessControlList/1/grantee: Expected object',
    );
  });
});

describe('mergeAcl and removeAcl (§7.3)', () => {
  it('merge ORs bits into the stored mask, keeps other grants, leaves the input alone', () => {
    const stored = { 'o:USER': 0xff, 'x:USER': 1 };
    const merged = mergeAcl(stored, [
      ['x:USER', 4],
      ['y:GROUP', 2],
      ['y:GROUP', 8],
    ]);
    assert.deepEqual(merged, { 'o:USER': 0xff, 'x:USER': 5, 'y:GROUP': 10 });
    assert.deepEqual(stored, { 'o:USER': 0xff, 'x:USER': 1 });
  });

  it('remove clears bits, drops a grant at 0, ignores grants not stored, leaves the input alone', () => {
    const stored = { 'o:USER': 0xff, 'x:USER': 7, 'y:USER': 2 };
    const after = removeAcl(stored, [
      ['o:USER', 1],
      ['x:USER', 2],
      ['y:USER', 2],
      ['z:USER', 1],
    ]);
    assert.deepEqual(after, { 'o:USER': 0xfe, 'x:USER': 5 });
    assert.deepEqual(stored, { 'o:USER': 0xff, 'x:USER': 7, 'y:USER': 2 });
    assert.deepEqual(removeAcl({ 'x:USER': 0x0f }, [['x:USER', 0xff]]), {});
    assert.deepEqual(removeAcl({ 'x:USER': 4 }, [['x:USER', 1]]), { 'x:USER': 4 });
  });
});

describe('grantList and policy (§7.1)', () => {
  it('the grantee id is everything before the last colon; the type after it', () => {
    assert.deepEqual(grantList({ 'a:b:USER': 1, 'ALL_USERS:GROUP': 0xff }), [
      { grantee: { id: 'a:b' }, permission: 'READ', type: 'USER' },
      { grantee: { id: 'ALL_USERS' }, permission: 'FULL_CONTROL', type: 'GROUP' },
    ]);
    assert.deepEqual(grantList({ 'x:USER': 0xfe }), [
      { grantee: { id: 'x' }, permission: 'WRITE', type: 'USER' },
      { grantee: { id: 'x' }, permission: 'READ_OBJECTS', type: 'USER' },
      { grantee: { id: 'x' }, permission: 'SSO_WRITE', type: 'USER' },
    ]);
  });

  it('the policy names the owner and lists the grants', () => {
    assert.deepEqual(policy('dev', { 'dev:USER': 0xff, 'ALL_USERS:GROUP': 1 }), {
      owner: { id: 'dev' },
      accessControlList: [
        { grantee: { id: 'dev' }, permission: 'FULL_CONTROL', type: 'USER' },
        { grantee: { id: 'ALL_USERS' }, permission: 'READ', type: 'GROUP' },
      ],
    });
    assert.deepEqual(policy('dev', {}), { owner: { id: 'dev' }, accessControlList: [] });
  });
});

describe('maskFor and has (§2.6)', () => {
  const user: FdsIdentity = { ...ANONYMOUS, kind: 'app-user', grantIds: ['u1', 'AK'], ownerId: 'u1', displayName: 'u' };

  it('ORs ALL_USERS, AUTHENTICATED_USERS and every USER grant naming one of the ids; GROUP grants never match an id', () => {
    const acl = { 'ALL_USERS:GROUP': 1, 'AUTHENTICATED_USERS:GROUP': 2, 'u1:USER': 4, 'AK:USER': 8, 'u1:GROUP': 0x10, 'other:USER': 0x20 };
    assert.equal(maskFor(acl, user), 0x0f);
    assert.equal(maskFor(acl, ANONYMOUS), 1);
    assert.equal(maskFor({}, user), 0);
    assert.equal(maskFor({ 'u1:USER': 4 }, { ...user, kind: 'anonymous' }), 0);
  });

  it('has: every bit of the need', () => {
    assert.equal(has(0xff, PERMISSIONS.WRITE), true);
    assert.equal(has(3, 3), true);
    assert.equal(has(1, 3), false);
    assert.equal(has(4, 2), false);
    assert.equal(has(0, 0), true);
    assert.equal(has(0x0f, PERMISSIONS.FULL_CONTROL), false);
  });
});

describe('cannedAcl (x-xiaomi-acl)', () => {
  it('maps each canned name to its group and bit; READ is an object grant, the others bucket grants', () => {
    const A = `${ALL_USERS}:GROUP`;
    const U = `${AUTHENTICATED_USERS}:GROUP`;
    const cases: Array<[string, Array<[string, number]>, Array<[string, number]>]> = [
      ['PUBLIC_READ', [], [[A, 1]]],
      ['PUBLIC_WRITE', [[A, 2]], []],
      ['PUBLIC_READ_OBJECTS', [[A, 4]], []],
      ['PUBLIC_SSO_WRITE', [[A, 8]], []],
      ['AUTHENTICATED_READ', [], [[U, 1]]],
      ['AUTHENTICATED_WRITE', [[U, 2]], []],
      ['AUTHENTICATED_READ_OBJECTS', [[U, 4]], []],
      ['AUTHENTICATED_SSO_WRITE', [[U, 8]], []],
      ['READ', [], [[A, 1]]],
      ['WRITE', [[A, 2]], []],
    ];
    for (const [header, bucket, object] of cases) assert.deepEqual(cannedAcl(header), { bucket, object }, header);
  });

  it('is a comma list, case-insensitive, trimmed; empty items are skipped', () => {
    assert.deepEqual(cannedAcl(' public_read , Authenticated_Write,,'), {
      bucket: [[`${AUTHENTICATED_USERS}:GROUP`, 2]],
      object: [[`${ALL_USERS}:GROUP`, 1]],
    });
    assert.deepEqual(cannedAcl(''), { bucket: [], object: [] });
    assert.deepEqual(cannedAcl(' , '), { bucket: [], object: [] });
  });

  it('refuses unknown names (the prefix counts only at the start)', () => {
    const unknown = (header: string, name: string) => refused(() => cannedAcl(header), `unknown canned ACL ${name}`);
    unknown('public-read', 'PUBLIC-READ');
    unknown('PUBLIC_READ,FULL_CONTROL', 'FULL_CONTROL');
    unknown('READ_PUBLIC_OBJECTS', 'READ_PUBLIC_OBJECTS');
    unknown('PUBLIC_', 'PUBLIC_');
    unknown('PUBLIC_AUTHENTICATED_READ', 'PUBLIC_AUTHENTICATED_READ');
  });
});

// Fuzzing the FDS ACL model (fds-protocol §7, §2.6): policy bodies (JSON as a client sends it,
// `__proto__` keys included), canned ACL headers, merge/remove and the grant list. Properties:
// only FdsError is thrown; only the spec's permission names and grant types are accepted (never
// an inherited property such as `toString`); the grant list a client reads parses back to the
// stored ACL; removing clears exactly the given bits; anonymous callers get only ALL_USERS bits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type AclMap,
  ALL_USERS,
  ANONYMOUS,
  AUTHENTICATED_USERS,
  cannedAcl,
  type FdsIdentity,
  maskFor,
  mergeAcl,
  PERMISSIONS,
  parsePolicy,
  policy,
  removeAcl,
} from '../../../src/core/fds/acl.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';
import { attackString, fuzz, headerString, isProtocolError, near, protocolOnly } from './fuzz-kit.ts';

const PERMISSION_NAMES = Object.keys(PERMISSIONS);
const PROTO = ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
const ANY_JSON: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });
const GRANT = fc.record(
  {
    grantee: fc.oneof(
      fc.record(
        {
          id: fc.oneof(fc.constantFrom(ALL_USERS, AUTHENTICATED_USERS, 'dev-1', '123', 'a:b', ''), attackString(10, 300)),
          displayName: fc.string(),
        },
        { requiredKeys: [] },
      ),
      ANY_JSON,
    ),
    permission: fc.oneof(near(PERMISSION_NAMES), fc.constantFrom(...PROTO), ANY_JSON),
    type: fc.oneof(fc.constantFrom('USER', 'GROUP', 'user', 'Group', 'toString', null), ANY_JSON),
  },
  { requiredKeys: [] },
);
const POLICY_TEXT = fc.oneof(
  fc
    .record(
      { owner: fc.record({ id: fc.string() }), accessControlList: fc.oneof(fc.array(GRANT, { maxLength: 5 }), ANY_JSON) },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  ANY_JSON.map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"__proto__":{"accessControlList":[{"grantee":{"id":"x"},"permission":"READ"}]}}',
    '{"accessControlList":[{"grantee":{"id":"x"},"permission":"toString"}]}',
    '{"accessControlList":[{"grantee":{"id":"x","__proto__":{"id":"y"}},"permission":"READ"}]}',
    '{"accessControlList":[{"__proto__":{"grantee":{"id":"x"}},"permission":"READ"}]}',
    '{"accessControlList":{"length":1,"0":{"grantee":{"id":"x"},"permission":"READ"}}}',
  ),
);

describe('fuzz: ACL policies', () => {
  it('only FdsError is thrown; accepted grants name a spec permission and grant type', (t) => {
    fuzz(
      t,
      fc.property(POLICY_TEXT, (text) => {
        const body: unknown = JSON.parse(text);
        const grants = protocolOnly(() => parsePolicy(body));
        if (isProtocolError(grants)) return assert.ok(grants instanceof FdsError && grants.status === 400);
        const list = (body as { accessControlList?: unknown[] }).accessControlList ?? [];
        assert.equal(grants.length, list.length);
        grants.forEach(([key, mask], i) => {
          const g = list[i] as { permission: string; grantee: { id: string } };
          assert.ok(Object.hasOwn(PERMISSIONS, g.permission), `accepted permission ${JSON.stringify(g.permission)}`);
          assert.equal(mask, PERMISSIONS[g.permission as keyof typeof PERMISSIONS]);
          assert.match(key, /:(USER|GROUP)$/);
          assert.equal(key.slice(0, key.lastIndexOf(':')), g.grantee.id);
        });
      }),
    );
  });

  it('the grant list a client reads parses back to the stored ACL; remove clears exactly the given bits', (t) => {
    const id = fc.oneof(fc.constantFrom(ALL_USERS, AUTHENTICATED_USERS, 'dev', 'a:b'), fc.stringMatching(/^[A-Za-z0-9:_-]{1,12}$/));
    const grants = fc.array(fc.record({ grantee: fc.record({ id }), permission: fc.constantFrom(...PERMISSION_NAMES) }), { maxLength: 6 });
    fuzz(
      t,
      fc.property(grants, grants, (a, b) => {
        const acl = mergeAcl({}, parsePolicy({ accessControlList: a }));
        assert.deepEqual(mergeAcl({}, parsePolicy(JSON.parse(JSON.stringify(policy('owner', acl))))), acl);
        const removed = parsePolicy({ accessControlList: b });
        const after = removeAcl(acl, removed);
        for (const [key, mask] of Object.entries(after)) {
          assert.ok(mask !== 0);
          const cleared = removed.filter(([k]) => k === key).reduce((m, [, bits]) => m | bits, 0);
          assert.equal(mask, (acl[key] ?? 0) & ~cleared & 0xff);
        }
        for (const key of Object.keys(acl))
          if (!(key in after)) assert.equal((acl[key] ?? 0) & ~removed.filter(([k]) => k === key).reduce((m, [, x]) => m | x, 0) & 0xff, 0);
      }),
    );
  });

  it('anonymous callers get ALL_USERS bits only; others add AUTHENTICATED_USERS and their own ids', (t) => {
    const acl: fc.Arbitrary<AclMap> = fc.dictionary(
      fc.oneof(fc.constantFrom(`${ALL_USERS}:GROUP`, `${AUTHENTICATED_USERS}:GROUP`, 'dev:USER', 'other:USER', 'dev:GROUP'), fc.string()),
      fc.constantFrom(1, 2, 4, 8, 15, 255),
    );
    fuzz(
      t,
      fc.property(acl, fc.array(fc.constantFrom('dev', 'other', 'x'), { maxLength: 3 }), (a, ids) => {
        assert.equal(maskFor(a, ANONYMOUS), a[`${ALL_USERS}:GROUP`] ?? 0);
        const who: FdsIdentity = { ...ANONYMOUS, kind: 'developer', grantIds: ids };
        const want = [`${ALL_USERS}:GROUP`, `${AUTHENTICATED_USERS}:GROUP`, ...ids.map((i) => `${i}:USER`)].reduce(
          (m, k) => m | (Object.hasOwn(a, k) ? (a[k] ?? 0) : 0),
          0,
        );
        assert.equal(maskFor(a, who), want);
      }),
    );
  });

  it('canned ACL headers: only FdsError; only the spec names', (t) => {
    const names = [
      'public-read',
      'PUBLIC_READ',
      'public_read',
      'PUBLIC_WRITE',
      'PUBLIC_READ_OBJECTS',
      'PUBLIC_SSO_WRITE',
      'AUTHENTICATED_READ',
      'AUTHENTICATED_WRITE',
      'AUTHENTICATED_READ_OBJECTS',
      'AUTHENTICATED_SSO_WRITE',
      'READ',
      'WRITE',
      'toString',
      'PUBLIC_toString',
    ];
    const header = fc.oneof(
      fc.array(near(names), { maxLength: 4 }).map((n) => n.join(',')),
      headerString(40),
    );
    fuzz(
      t,
      fc.property(header, (h) => {
        const r = protocolOnly(() => cannedAcl(h));
        if (isProtocolError(r)) return assert.ok(r instanceof FdsError);
        for (const [key, mask] of [...r.bucket, ...r.object]) {
          assert.ok(key === `${ALL_USERS}:GROUP` || key === `${AUTHENTICATED_USERS}:GROUP`);
          assert.ok([1, 2, 4, 8].includes(mask));
        }
      }),
    );
  });
});

// Account roles (issue 13): user < developer < admin, each including the ones before it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasRole, isRole, ROLES, roleOf } from '../../../src/core/account/roles.ts';

test('the three roles, in order of rights', () => {
  assert.deepEqual(ROLES, ['user', 'developer', 'admin']);
  for (const r of ROLES) assert.equal(isRole(r), true, r);
  for (const s of ['', 'Admin', 'root', 'users', 'toString']) assert.equal(isRole(s), false, s);
});

test('a stored role that is not one of them reads as user', () => {
  assert.equal(roleOf('admin'), 'admin');
  assert.equal(roleOf('developer'), 'developer');
  assert.equal(roleOf('user'), 'user');
  assert.equal(roleOf('superuser'), 'user');
  assert.equal(roleOf(''), 'user');
});

test('each role includes the rights of the ones before it, and only those', () => {
  const want: Array<[(typeof ROLES)[number], (typeof ROLES)[number], boolean]> = [
    ['user', 'user', true],
    ['user', 'developer', false],
    ['user', 'admin', false],
    ['developer', 'user', true],
    ['developer', 'developer', true],
    ['developer', 'admin', false],
    ['admin', 'user', true],
    ['admin', 'developer', true],
    ['admin', 'admin', true],
  ];
  for (const [role, needed, has] of want) assert.equal(hasRole(role, needed), has, `${role} has ${needed}`);
});

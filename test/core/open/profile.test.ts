// `/user/profile` data (account-protocol §6.4) and avatar URLs, as test/sites/account/open/user-api.test.ts
// sees them on the wire: every key a string, six icon variants, userId only when the app emits it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AVATAR_SIZES,
  AVATAR_VARIANTS,
  avatarUrls,
  defaultAvatarUrls,
  friendsString,
  profileData,
  uploadedAvatarKey,
  uploadedAvatarPath,
} from '../../../src/core/open/profile.ts';

const ORIGIN = 'http://acc.example:8080';

test('the six avatar variants and the four sizes', () => {
  assert.deepEqual(AVATAR_VARIANTS, ['', '_75', '_90', '_120', '_320', '_orig']);
  assert.deepEqual(AVATAR_SIZES, [75, 90, 120, 320]);
});

test("Opal's default avatar: /avatar/default{variant}.png on the origin", () => {
  assert.deepEqual(defaultAvatarUrls(ORIGIN), {
    '': 'http://acc.example:8080/avatar/default.png',
    _75: 'http://acc.example:8080/avatar/default_75.png',
    _90: 'http://acc.example:8080/avatar/default_90.png',
    _120: 'http://acc.example:8080/avatar/default_120.png',
    _320: 'http://acc.example:8080/avatar/default_320.png',
    _orig: 'http://acc.example:8080/avatar/default_orig.png',
  });
  assert.deepEqual(avatarUrls('', ORIGIN), defaultAvatarUrls(ORIGIN));
});

test('uploaded avatars: /avatar/u/<key>.jpg with a key of 8 to 80 of [A-Za-z0-9_-]', () => {
  assert.equal(uploadedAvatarPath('Ab3_-xyz'), '/avatar/u/Ab3_-xyz.jpg');
  assert.equal(uploadedAvatarPath('Ab3_-xyz', '_320'), '/avatar/u/Ab3_-xyz_320.jpg');
  assert.equal(uploadedAvatarKey('/avatar/u/Ab3_-xyz.jpg'), 'Ab3_-xyz');
  assert.equal(uploadedAvatarKey(`/avatar/u/${'k'.repeat(80)}.jpg`), 'k'.repeat(80));
  for (const url of [
    '/avatar/u/Ab3_-xy.jpg', // 7 characters
    `/avatar/u/${'k'.repeat(81)}.jpg`,
    '/avatar/u/Ab3.-xyz.jpg',
    '/avatar/u/Ab3_-xyz.png',
    '/avatar/u/Ab3_-xyz.jpg?v=2',
    'https://cdn.example/avatar/u/Ab3_-xyz.jpg',
    '/avatar/u/Ab3_-xyz_320.jpg/x',
    '',
  ])
    assert.equal(uploadedAvatarKey(url), undefined, url);
});

test('an uploaded avatar exists in every size on the origin; a custom URL serves every variant as is', () => {
  assert.deepEqual(avatarUrls('/avatar/u/Ab3_-xyz.jpg', ORIGIN), {
    '': 'http://acc.example:8080/avatar/u/Ab3_-xyz.jpg',
    _75: 'http://acc.example:8080/avatar/u/Ab3_-xyz_75.jpg',
    _90: 'http://acc.example:8080/avatar/u/Ab3_-xyz_90.jpg',
    _120: 'http://acc.example:8080/avatar/u/Ab3_-xyz_120.jpg',
    _320: 'http://acc.example:8080/avatar/u/Ab3_-xyz_320.jpg',
    _orig: 'http://acc.example:8080/avatar/u/Ab3_-xyz_orig.jpg',
  });
  const custom = 'https://cdn.example/avatar/a1.jpg';
  assert.deepEqual(Object.values(avatarUrls(custom, ORIGIN)), Array(6).fill(custom));
});

test('profile data: keys in wire order, userId last and only when emitted', () => {
  const input = { unionId: 'uid-1', nickname: 'Alice', avatarUrl: '', userId: '1000001', emitUserId: true };
  assert.equal(
    JSON.stringify(profileData(input, ORIGIN)),
    JSON.stringify({
      unionId: 'uid-1',
      miliaoNick: 'Alice',
      miliaoIcon: 'http://acc.example:8080/avatar/default.png',
      miliaoIcon_75: 'http://acc.example:8080/avatar/default_75.png',
      miliaoIcon_90: 'http://acc.example:8080/avatar/default_90.png',
      miliaoIcon_120: 'http://acc.example:8080/avatar/default_120.png',
      miliaoIcon_320: 'http://acc.example:8080/avatar/default_320.png',
      miliaoIcon_orig: 'http://acc.example:8080/avatar/default_orig.png',
      userId: '1000001',
    }),
  );
  const hidden = profileData({ ...input, emitUserId: false, avatarUrl: 'https://cdn.example/avatar/a1.jpg' }, ORIGIN);
  assert.ok(!('userId' in hidden));
  assert.equal(hidden.miliaoIcon_320, 'https://cdn.example/avatar/a1.jpg');
  assert.equal(hidden.miliaoIcon, 'https://cdn.example/avatar/a1.jpg');
});

test('/user/relation friends: ids joined by "," without spaces; "" when none', () => {
  assert.equal(friendsString([]), '');
  assert.equal(friendsString(['1000001']), '1000001');
  assert.equal(friendsString(['1000001', '1000002']), '1000001,1000002');
});

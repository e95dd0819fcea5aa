// The playground's client-side signing is what the server verifies: the signed call verifies
// against the server's candidates (mac-canonical.ts), a changed parameter, host or key does not,
// and the header parses back to the same values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostCandidates, verifyMac } from '../../../src/core/account/mac-canonical.ts';
import { parseMacHeader } from '../../../src/core/account/mac-header.ts';
import { signOpenApiCall } from '../../../src/core/account/mac-sign.ts';

const call = {
  method: 'GET' as const,
  host: '127.0.0.1',
  path: '/user/profile',
  params: [
    ['token', 'tok+en/=='],
    ['clientId', '2882303761517000001'],
  ] as Array<[string, string]>,
  accessToken: 'tok+en/==',
  macKey: 'k3y',
  nonce: '-123456789:29000000',
};

test('a signed call verifies as the server checks it, and only as signed', () => {
  const s = signOpenApiCall(call);
  assert.equal(s.query, 'clientId=2882303761517000001&token=tok%2Ben%2F%3D%3D');
  assert.equal(s.canonical, `${call.nonce}\nGET\n127.0.0.1\n/user/profile\n${s.query}\n`);
  const received = (params: Array<[string, string]>, host: string) => ({
    method: 'GET',
    path: call.path,
    params,
    rawQueryString: s.query,
    hosts: hostCandidates([], host),
  });
  const sorted: Array<[string, string]> = [
    ['clientId', '2882303761517000001'],
    ['token', 'tok+en/=='],
  ];
  assert.equal(verifyMac(call.macKey, call.nonce, s.mac, received(sorted, '127.0.0.1:8080')), true);
  assert.equal(verifyMac('other', call.nonce, s.mac, received(sorted, '127.0.0.1:8080')), false);
  assert.equal(verifyMac(call.macKey, call.nonce, s.mac, received(sorted, 'localhost:8080')), false);
  const changed: Array<[string, string]> = [
    ['clientId', '2882303761517000002'],
    ['token', 'tok+en/=='],
  ];
  assert.equal(verifyMac(call.macKey, call.nonce, s.mac, { ...received(changed, '127.0.0.1'), rawQueryString: '' }), false);
  assert.deepEqual(parseMacHeader(s.authorization), { accessToken: call.accessToken, nonce: call.nonce, mac: s.mac });
});

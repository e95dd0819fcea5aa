// Sealed client secrets: round trip, bound to their context and to the server secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSecret, sealSecret } from '../../src/lib/secret-box.ts';
import { createTestContext } from '../helpers/env.ts';

describe('secret box', () => {
  const key = 'k'.repeat(43);
  it('round trip; other context, other key, tampering and garbage → undefined', () => {
    const box = sealSecret(key, '2882303761517000000', '50S2mk2MTDHQFbV6O6kMjg==');
    assert.ok(!box.includes('50S2mk2MTDHQFbV6O6kMjg'));
    assert.equal(openSecret(key, '2882303761517000000', box), '50S2mk2MTDHQFbV6O6kMjg==');
    assert.equal(openSecret(key, '2882303761517000001', box), undefined);
    assert.equal(openSecret('x'.repeat(43), '2882303761517000000', box), undefined);
    const bytes = Buffer.from(box.slice(3), 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    assert.equal(openSecret(key, '2882303761517000000', `v1.${bytes.toString('base64url')}`), undefined);
    assert.equal(openSecret(key, '2882303761517000000', 'v1.AAAA'), undefined);
    assert.equal(openSecret(key, '2882303761517000000', null), undefined);
    assert.notEqual(sealSecret(key, 'c', 's'), sealSecret(key, 'c', 's'));
  });
  it('apps keep their secret sealed: signingSecret follows create and rotate', async () => {
    const t = await createTestContext();
    try {
      const { app, clientSecret } = await t.ctx.services.apps.create({ name: 'Sealed', redirectUris: 'https://a.example/cb' });
      assert.equal(await t.ctx.services.apps.signingSecret(app.clientId), clientSecret);
      const rotated = await t.ctx.services.apps.rotateSecret(app.clientId);
      assert.equal(await t.ctx.services.apps.signingSecret(app.clientId), rotated);
      assert.equal(await t.ctx.services.apps.signingSecret('2882303761517999999'), undefined);
    } finally {
      await t.close();
    }
  });
});

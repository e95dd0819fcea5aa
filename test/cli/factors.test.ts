// `opal user factors list|reset`: an operator sees a user's second factors and removes them all
// (someone who lost both the authenticator and the recovery codes signs in with the password again).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { generate } from 'otplib';
import { inspectStore, tmpDir } from '../helpers/env.ts';
import { opalBatch } from '../helpers/opal-cli.ts';

const runner = opalBatch();
after(() => runner.close());
const dir = tmpDir('opal-cli-factors-');
after(() => dir.remove());
const env = { OPAL_DATA_DIR: dir.path };
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await runner.run([...args, '--json'], env);
  assert.equal(r.code, 0, `opal ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe('opal user factors', () => {
  it('lists a user’s factors and removes them all', async () => {
    const { userId } = await json<{ userId: string }>(['user', 'create', '--account', 'dana', '--password', 'dana-pass-1']);
    const codes = await inspectStore(env, async (ctx) =>
      ctx.services.factors.enrollTotp(userId, SECRET, await generate({ secret: SECRET }), 'Authenticator app'),
    );
    assert.equal(codes?.length, 10);
    const listed = await json<{ factors: Array<{ kind: string; name: string }>; recoveryCodes: number }>([
      'user',
      'factors',
      'list',
      'dana',
    ]);
    assert.deepEqual(
      listed.factors.map((f) => [f.kind, f.name]),
      [['totp', 'Authenticator app']],
    );
    assert.equal(listed.recoveryCodes, 10);
    const human = await runner.run(['user', 'factors', 'list', 'dana'], env);
    assert.match(human.stdout, /totp\s+Authenticator app/);
    assert.match(human.stdout, /10 unused recovery code\(s\)/);
    assert.deepEqual(await json(['user', 'factors', 'reset', 'dana']), { userId, factorsRemoved: 1 });
    const emptied = await json<{ factors: unknown[]; recoveryCodes: number }>(['user', 'factors', 'list', userId]);
    assert.deepEqual([emptied.factors, emptied.recoveryCodes], [[], 0]);
    const audit = await inspectStore(env, (ctx) => ctx.services.audit.list({ type: 'factor.removed' }));
    assert.equal(audit[0]?.actor, 'cli');
    assert.equal((await runner.run(['user', 'factors', 'reset', 'nobody'], env)).code, 3);
  });
});

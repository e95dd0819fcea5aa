// Values made on first use (src/lib/lazy.ts): made once however many ask at once, a failure not
// kept, and take() forgetting what was made.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lazy } from '../../src/lib/lazy.ts';

test('made once, on the first use, for every caller', async () => {
  let makes = 0;
  const lazy = new Lazy(async () => ++makes);
  assert.equal(makes, 0);
  const all = await Promise.all([lazy.get(), lazy.get(), lazy.get()]);
  assert.deepEqual(all, [1, 1, 1]);
  assert.equal(await lazy.get(), 1);
  assert.equal(makes, 1);
});

test('a failure reaches its callers and is not kept', async () => {
  let makes = 0;
  const lazy = new Lazy(async () => {
    makes++;
    if (makes === 1) throw new Error('first try fails');
    return 'made';
  });
  await Promise.all([assert.rejects(lazy.get(), /first try fails/), assert.rejects(lazy.get(), /first try fails/)]);
  assert.equal(await lazy.get(), 'made');
  assert.equal(makes, 2);
});

test('take() hands over what was made and forgets it; a failure after it does not clear the new one', async () => {
  let makes = 0;
  let fail: (e: Error) => void = () => undefined;
  const lazy = new Lazy(
    () =>
      new Promise<number>((resolve, reject) => {
        makes++;
        if (makes === 1) fail = reject;
        else resolve(makes);
      }),
  );
  const first = lazy.get();
  assert.equal(lazy.take(), first);
  const second = lazy.get();
  fail(new Error('the first fails late'));
  await assert.rejects(first, /fails late/);
  assert.equal(lazy.take(), second);
  assert.equal(await second, 2);
  assert.equal(lazy.take(), undefined);
});

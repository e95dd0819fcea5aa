// Answers held to the end of the event loop's turn (src/http/turn-end.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { atTurnEnd } from '../../src/http/turn-end.ts';

describe('atTurnEnd', () => {
  it('runs the writes of a turn after its callbacks and microtasks, in the order given', async () => {
    const ran: string[] = [];
    atTurnEnd(() => ran.push('a'));
    atTurnEnd(() => ran.push('b'));
    await Promise.resolve();
    ran.push('microtask');
    await new Promise<void>((resolve) => process.nextTick(resolve));
    ran.push('next tick');
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['microtask', 'next tick', 'a', 'b']);
  });

  it('a write held during the release waits for the next turn, and is not lost', async () => {
    const ran: string[] = [];
    atTurnEnd(() => {
      ran.push('first');
      atTurnEnd(() => ran.push('second'));
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['first']);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, ['first', 'second']);
  });
});

// The same cache suite on the in-memory cache and (with OPAL_TEST_REDIS_URL) on Redis.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Cache } from '../../src/store/cache/cache.ts';
import { dropLocalEntries, InvalidatingCache } from '../../src/store/cache/invalidating-cache.ts';
import { entryBytes, MemoryCache } from '../../src/store/cache/memory-cache.ts';
import { PIN_SLOT_MS, PinnedValues } from '../../src/store/cache/pinned-values.ts';
import { RedisCache } from '../../src/store/cache/redis-cache.ts';
import { SpentKeys } from '../../src/store/cache/spent-keys.ts';
import { REDIS_URL } from '../helpers/env.ts';
import { redisTestPrefix, removeRedisKeys } from '../helpers/redis.ts';

interface Backend {
  name: string;
  /** Two handles on one shared cache: the same instance in memory, two connections on Redis. */
  open(): { a: Cache; b: Cache };
  /** Removes what the suite left in the backend. */
  clean?(): Promise<void>;
}

const backends: Backend[] = [
  {
    name: 'memory',
    open() {
      const c = new MemoryCache();
      return { a: c, b: c };
    },
  },
];
if (REDIS_URL) {
  const url = REDIS_URL;
  // A prefix of its own keeps parallel test runs apart on one Redis; its keys go afterwards.
  const prefix = redisTestPrefix();
  backends.push({
    name: 'redis',
    open() {
      return { a: new RedisCache(url, prefix), b: new RedisCache(url, prefix) };
    },
    clean: async () => {
      await removeRedisKeys(url, prefix);
    },
  });
}

/** Polls `f` until it returns true or `ms` pass. */
async function eventually(f: () => boolean | Promise<boolean>, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await sleep(5);
  }
  return f();
}

for (const backend of backends) {
  describe(`cache on ${backend.name}`, () => {
    let a: Cache;
    let b: Cache;
    before(() => {
      ({ a, b } = backend.open());
    });
    after(async () => {
      await a.close();
      if (b !== a) await b.close();
      await backend.clean?.();
    });

    it('gets, sets and deletes; both handles see the same data', async () => {
      assert.equal(await a.get('k'), null);
      await a.set('k', 'v1', 10_000);
      assert.equal(await a.get('k'), 'v1');
      assert.equal(await b.get('k'), 'v1');
      await b.set('k', 'v2 ünïcode', 10_000);
      assert.equal(await a.get('k'), 'v2 ünïcode');
      await b.del('k');
      assert.equal(await a.get('k'), null);
      await a.del('never-set');
    });

    it('expires entries after their ttl and reports the remaining ttl', async () => {
      await a.set('short', 'x', 80);
      const t = await a.ttl('short');
      assert.ok(t > 0 && t <= 80, `ttl ${t}`);
      assert.equal(await a.ttl('absent'), -1);
      await sleep(200);
      assert.equal(await a.get('short'), null);
      assert.equal(await a.ttl('short'), -1);
    });

    it('setIfAbsent stores once until the entry expires (nonce replay window)', async () => {
      assert.equal(await a.setIfAbsent('nonce:1', '1', 300), true);
      assert.equal(await b.setIfAbsent('nonce:1', '2', 300), false);
      assert.equal(await a.get('nonce:1'), '1');
      await sleep(400);
      assert.equal(await b.setIfAbsent('nonce:1', '3', 10_000), true);
      assert.equal(await a.get('nonce:1'), '3');
    });

    it('setIfAbsent lets exactly one of many concurrent callers win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).setIfAbsent('race', String(i), 10_000)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('pin keeps the first value until it expires and returns the value pinned', async () => {
      assert.equal(await a.pin('offset:1', -32, 300), -32);
      assert.equal(await b.pin('offset:1', 0, 300), -32, 'the other handle gets the first value');
      assert.equal(await a.pin('offset:1', 5, 10_000), -32);
      assert.equal(await b.pin('offset:2', 127, 300), 127, 'another key');
      const race = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).pin('offset:race', i - 10, 10_000)));
      assert.equal(new Set(race).size, 1, `one value for every concurrent caller: ${race}`);
      await assert.rejects(a.pin('offset:3', 128, 300), RangeError);
      await assert.rejects(a.pin('offset:3', 1.5, 300), RangeError);
      if (backend.name === 'redis') {
        // The memory cache keeps a pin up to an hour longer (tested below); Redis to the millisecond.
        await sleep(400);
        assert.equal(await b.pin('offset:1', 7, 10_000), 7, 'pinned again once expired');
        assert.equal(await a.pin('offset:1', 0, 10_000), 7);
      }
    });

    it('incr counts within a window that the first increment starts', async () => {
      assert.equal(await a.incr('rl', 500), 1);
      await sleep(100);
      assert.equal(await b.incr('rl', 500), 2);
      const left = await a.ttl('rl');
      // The second increment did not restart the window (a restarted one would have about 500 ms
      // left). Not `<= 400`: a timer may fire a millisecond before Date.now() says 100 ms passed.
      assert.ok(left > 0 && left <= 450, `ttl ${left}`);
      const counts = await Promise.all(Array.from({ length: 10 }, () => a.incr('rl', 500)));
      assert.deepEqual(
        counts.sort((x, y) => x - y),
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
      await sleep(550);
      assert.equal(await a.incr('rl', 500), 1);
    });

    it('publishes to every subscriber, also on the other handle, until unsubscribed', async () => {
      const gotA: string[] = [];
      const gotB: string[] = [];
      const offA = await a.subscribe('chan', (m) => gotA.push(m));
      const offB = await b.subscribe('chan', (m) => gotB.push(m));
      await a.publish('chan', 'one');
      await b.publish('chan', 'two');
      await a.publish('other-chan', 'nope');
      assert.ok(await eventually(() => gotA.length === 2 && gotB.length === 2), `${gotA} / ${gotB}`);
      assert.deepEqual(gotA, ['one', 'two']);
      assert.deepEqual(gotB, ['one', 'two']);
      await offB();
      await a.publish('chan', 'three');
      assert.ok(await eventually(() => gotA.length === 3));
      await sleep(50);
      assert.deepEqual(gotB, ['one', 'two']);
      await offA();
    });

    it('InvalidatingCache: an entry invalidated through one instance is gone in the other', async () => {
      const n1 = new InvalidatingCache<{ user: string }>(a, 'tokens');
      const n2 = new InvalidatingCache<{ user: string }>(b, 'tokens');
      await n1.start();
      await n2.start();
      try {
        n1.set('tok1', { user: 'u1' });
        n2.set('tok1', { user: 'u1' });
        n2.set('tok2', { user: 'u2' });
        assert.deepEqual(n2.get('tok1'), { user: 'u1' });
        const t0 = Date.now();
        await n1.invalidate('tok1');
        assert.equal(n1.get('tok1'), undefined);
        assert.ok(await eventually(() => n2.get('tok1') === undefined, 1000), 'invalidated on the other instance within a second');
        assert.ok(Date.now() - t0 < 1000);
        assert.deepEqual(n2.get('tok2'), { user: 'u2' });
        await n1.invalidate('*');
        assert.ok(await eventually(() => n2.get('tok2') === undefined, 1000));
      } finally {
        await n1.stop();
        await n2.stop();
      }
    });

    it('InvalidatingCache: expired entries are swept out, not kept until the LRU is full', async () => {
      let now = 1_000_000;
      const c = new InvalidatingCache<string>(a, 'sweep', 30_000, 50_000, () => now);
      await c.start();
      try {
        for (let i = 0; i < 1000; i++) c.set(`single-use-${i}`, 'x'); // looked up once, never again
        assert.equal(c.size, 1000);
        now += 30_000;
        c.set('fresh', 'y');
        assert.equal(c.size, 1, 'only the fresh entry is left');
        assert.equal(c.get('fresh'), 'y');
      } finally {
        await c.stop();
      }
    });

    it('dropLocalEntries empties every started cache of the process, and a look-up in progress is not cached', async () => {
      const c1 = new InvalidatingCache<string>(a, 'drop-1');
      const c2 = new InvalidatingCache<string>(a, 'drop-2');
      await c1.start();
      await c2.start();
      try {
        c1.set('k', 'v1');
        c2.set('k', 'v2');
        const since = c1.generation(); // a look-up reading the store now
        dropLocalEntries(); // the store lost writes that reads may have seen
        assert.equal(c1.get('k'), undefined);
        assert.equal(c2.get('k'), undefined);
        c1.set('k', 'read before the loss', since);
        assert.equal(c1.get('k'), undefined, 'what was read before the loss is not cached');
        c1.set('k', 'read after');
        assert.equal(c1.get('k'), 'read after');
      } finally {
        await c1.stop();
        await c2.stop();
      }
    });

    it('InvalidatingCache: a look-up that raced an invalidation on another node is not cached', async () => {
      const n1 = new InvalidatingCache<string>(a, 'race');
      const n2 = new InvalidatingCache<string>(b, 'race');
      await n1.start();
      await n2.start();
      try {
        // n2 starts a look-up (generation taken), n1 revokes meanwhile, then n2's stale read lands.
        const since = n2.generation();
        await n1.invalidate('tok');
        assert.ok(await eventually(() => n2.generation() !== since, 1000), 'the invalidation reached n2');
        n2.set('tok', 'stale', since);
        assert.equal(n2.get('tok'), undefined, 'the stale value was dropped');
        n2.set('tok', 'fresh', n2.generation());
        assert.equal(n2.get('tok'), 'fresh');
      } finally {
        await n1.stop();
        await n2.stop();
      }
    });

    if (backend.name === 'redis') {
      it('InvalidatingCache empties itself while its pub/sub connection is down, and recovers', async () => {
        const n1 = new InvalidatingCache<string>(a, 'reconnect');
        const n2 = new InvalidatingCache<string>(b, 'reconnect');
        await n1.start();
        await n2.start();
        const admin = new Redis(REDIS_URL ?? '');
        try {
          n2.set('k', 'v');
          assert.equal(n2.get('k'), 'v');
          // Drop n2's subscriber connection from the server side, as a network failure would.
          const sub = (b as unknown as { sub: Redis }).sub;
          const sock = (sub as unknown as { stream: { localAddress: string; localPort: number } }).stream;
          const addr = `${sock.localAddress}:${sock.localPort}`;
          const states: boolean[] = [];
          const stop = b.onPubSubState?.((up) => states.push(up));
          await admin.client('KILL', 'ADDR', addr);
          assert.ok(await eventually(() => states.includes(false)), 'the drop is noticed');
          assert.equal(n2.get('k'), undefined, 'a possibly stale entry is not served');
          assert.ok(await eventually(() => states.at(-1) === true, 5000), 'reconnected');
          stop?.();
          // Subscribed again: entries are cached and invalidated across nodes as before.
          n2.set('k2', 'v2');
          assert.equal(n2.get('k2'), 'v2');
          await sleep(100);
          await n1.invalidate('k2');
          assert.ok(await eventually(() => n2.get('k2') === undefined, 1000), 'invalidation arrives after the reconnect');
        } finally {
          admin.disconnect();
          await n1.stop();
          await n2.stop();
        }
      });
    }

    it('InvalidatingCache entries expire and the cache stays bounded', async () => {
      let now = 1_000;
      const c = new InvalidatingCache<number>(a, 'bounded', 100, 3, () => now);
      await c.start();
      try {
        c.set('x', 1);
        now += 99;
        assert.equal(c.get('x'), 1);
        now += 1;
        assert.equal(c.get('x'), undefined);
        for (const k of ['a', 'b', 'c', 'd']) c.set(k, 0);
        assert.equal(c.get('a'), undefined, 'oldest entry evicted');
        assert.equal(c.get('d'), 0);
      } finally {
        await c.stop();
      }
    });
  });
}

describe('memory cache byte budget', () => {
  it('keeps at most its byte budget, evicting the least recently used first (anonymous flows cannot grow it)', async () => {
    const budget = 256 * 1024;
    const c = new MemoryCache(Date.now, budget);
    try {
      const flow = 'f'.repeat(1200); // about what a checkPassword flow stores
      await c.set('kept', 'x', 60_000);
      for (let i = 0; i < 5000; i++) {
        await c.set(`checkpw:flow:${i}`, flow, 15 * 60_000);
        if (i % 50 === 0) await c.get('kept'); // recently used: survives
      }
      let present = 0;
      for (let i = 0; i < 5000; i++) if ((await c.get(`checkpw:flow:${i}`)) !== null) present++;
      assert.ok(present > 0 && present * entryBytes('checkpw:flow:4999', flow) <= budget, `${present} entries kept`);
      assert.equal(await c.get('checkpw:flow:0'), null, 'the oldest entry went');
      assert.equal(await c.get('checkpw:flow:4999'), flow);
      assert.equal(await c.get('kept'), 'x');
    } finally {
      await c.close();
    }
  });
});

describe('spent single-use keys (MAC nonces)', () => {
  it('spend refuses a key already spent, on both handles of every backend', async () => {
    for (const backend of backends) {
      const { a, b } = backend.open();
      try {
        assert.equal(await a.spend('spent:1', 300), true, backend.name);
        assert.equal(await b.spend('spent:1', 300), false, backend.name);
        assert.equal(await a.spend('spent:2', 300), true, backend.name);
      } finally {
        await a.close();
        if (b !== a) await b.close();
        await backend.clean?.();
      }
    }
  });

  it('the memory cache keeps spent keys at least their ttl, at most to the end of that minute', async () => {
    let t = 1_000_000 * 60_000 + 10_000; // 10 s into a minute
    const c = new MemoryCache(() => t);
    try {
      assert.equal(await c.spend('n', 30_000), true);
      t += 29_000;
      assert.equal(await c.spend('n', 30_000), false, 'within its ttl');
      t += 21_000; // past the ttl and past the end of the minute it falls in
      assert.equal(await c.spend('n', 30_000), true, 'forgotten once its minute is over');
    } finally {
      await c.close();
    }
  });

  it('a stream of unique keys stays within the quarter of the budget, forgetting the slot expiring soonest first', async () => {
    let t = 0;
    const budget = 1024 * 1024;
    const spent = new SpentKeys(budget / 4, () => t);
    const keys = 200_000;
    for (let i = 0; i < keys; i++) {
      t = i * 10; // 100 keys a second for 33 minutes, each to be kept an hour
      assert.equal(spent.spend(`k${i}`, 60 * 60_000), true);
      assert.ok(spent.heldBytes <= budget / 4, `${spent.heldBytes} bytes at key ${i}`);
    }
    assert.equal(spent.spend(`k${keys - 1}`, 60 * 60_000), false, 'the newest keys are still spent');
    assert.equal(spent.spend('k0', 60 * 60_000), true, 'the oldest were forgotten to stay in budget');
  });
});

describe('pinned small integers (MAC clock offsets) in the memory cache', () => {
  it('keeps the first value for at least its ttl, at most to the end of that hour', async () => {
    let t = 1_000 * PIN_SLOT_MS + 10 * 60_000; // 10 minutes into an hour
    const c = new MemoryCache(() => t);
    try {
      assert.equal(await c.pin('tok', -4, 30 * 60_000), -4);
      t += 29 * 60_000;
      assert.equal(await c.pin('tok', 0, 30 * 60_000), -4, 'within its ttl');
      assert.equal(await c.get('tok'), null, 'a pin is not an entry');
      t += 21 * 60_000; // past the ttl and past the end of the hour it falls in
      assert.equal(await c.pin('tok', 3, 30 * 60_000), 3, 'forgotten once its hour is over');
    } finally {
      await c.close();
    }
  });

  it('finds a pin asked for again with another ttl (another expiry hour)', () => {
    const t = 5 * PIN_SLOT_MS;
    const pins = new PinnedValues(1024 * 1024, () => t);
    assert.equal(pins.pin('tok', 2, 90 * 24 * PIN_SLOT_MS), 2);
    assert.equal(pins.pin('tok', 0, 60_000), 2);
    assert.equal(pins.pin('tok', -1, 3 * PIN_SLOT_MS), 2);
    assert.equal(pins.tableCount, 1, 'no table for the later asks');
  });

  it('many pins cost a few dozen bytes each and leave the LRU entries alone', async () => {
    const budget = 32 * 1024 * 1024;
    const c = new MemoryCache(() => 0, budget);
    const pins = new PinnedValues(budget / 8, () => 0);
    try {
      await c.set('kept', 'x', 90 * 24 * PIN_SLOT_MS);
      for (let i = 0; i < 100_000; i++) {
        const v = (i % 113) - 56;
        assert.equal(await c.pin(`mac-offset:${i}`, v, 90 * 24 * PIN_SLOT_MS), v);
        pins.pin(`mac-offset:${i}`, v, 90 * 24 * PIN_SLOT_MS);
      }
      assert.equal(await c.get('kept'), 'x');
      assert.ok(pins.heldBytes / 100_000 <= 36, `${pins.heldBytes / 100_000} bytes a pin`);
      for (let i = 0; i < 100_000; i += 997) assert.equal(await c.pin(`mac-offset:${i}`, 0, 60_000), (i % 113) - 56);
    } finally {
      await c.close();
    }
  });

  it('sparse slots stay small: one pin in each hour of 90 days', () => {
    let t = 0;
    const pins = new PinnedValues(64 * 1024 * 1024, () => t);
    const hours = 90 * 24;
    for (let h = 0; h < hours; h++) pins.pin(`tok${h}`, h % 100, (h + 1) * PIN_SLOT_MS - 1);
    assert.equal(pins.tableCount, hours);
    assert.ok(pins.heldBytes <= hours * 512, `${pins.heldBytes} bytes for ${hours} tables`);
    assert.equal(pins.pin('tok100', 0, PIN_SLOT_MS), 0, 'tok100 is pinned to 100 % 100');
    t = 50 * PIN_SLOT_MS;
    assert.equal(pins.tableCount, hours, 'expired tables go on the next call');
    assert.equal(pins.pin('tok49', 9, PIN_SLOT_MS), 9, 'its hour is over');
    assert.equal(pins.pin('tok50', 9, PIN_SLOT_MS), 50);
    assert.equal(pins.tableCount, hours - 50, 'tok49 joined the hour of tok50');
  });

  it('stays within its budget, forgetting the hour expiring soonest first', () => {
    let t = 0;
    const budget = 64 * 1024;
    const pins = new PinnedValues(budget, () => t);
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      t = i * 60_000; // a token a minute, each living three days
      assert.equal(pins.pin(`tok${i}`, 1, 72 * PIN_SLOT_MS), 1);
      assert.ok(pins.heldBytes <= budget, `${pins.heldBytes} bytes at pin ${i}`);
    }
    assert.equal(pins.pin(`tok${n - 1}`, 2, 72 * PIN_SLOT_MS), 1, 'the newest pins are kept');
    assert.equal(pins.pin('tok0', 2, 72 * PIN_SLOT_MS), 2, 'the oldest were forgotten to stay in budget');
  });
});

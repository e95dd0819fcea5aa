// Object listing (fds-protocol §5.9): maxKeys parsing, the plan (inclusive `<bucket>/<name>` or bare
// markers, the prefix's upper bound, pages capped at 1000), the builder's roll-up into common
// prefixes (objects and prefixes count together) and the result (maxKeys always the cap).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIST_CAP, ListingBuilder, listingResult, parseMaxKeys, planListing, successor } from '../../../src/core/fds/listing.ts';

const req = (o: Partial<{ prefix: string; delimiter: string; marker: string; maxKeys: number }> = {}) => ({
  prefix: '',
  delimiter: '',
  marker: '',
  maxKeys: undefined as number | undefined,
  ...o,
});

describe('successor', () => {
  it('increments the last code unit; empty stays empty', () => {
    assert.equal(successor(''), '');
    assert.equal(successor('a/'), 'a0');
    assert.equal(successor('dir/x'), 'dir/y');
    assert.equal(successor('中'), '丮');
  });
});

describe('parseMaxKeys', () => {
  it('takes 1 to 9 digits above 0; anything else is the cap (undefined)', () => {
    assert.equal(parseMaxKeys('1'), 1);
    assert.equal(parseMaxKeys('5000'), 5000);
    assert.equal(parseMaxKeys('999999999'), 999999999);
    assert.equal(parseMaxKeys('007'), 7);
    for (const bad of [undefined, '', '0', '000', '-1', '1.5', 'ten', ' 5', '5 ', '1234567890']) {
      assert.equal(parseMaxKeys(bad), undefined, String(bad));
    }
  });
});

describe('planListing', () => {
  it('pages at maxKeys, never more than 1000', () => {
    assert.equal(LIST_CAP, 1000);
    assert.equal(planListing('b', req()).pageSize, 1000);
    assert.equal(planListing('b', req({ maxKeys: 1000 })).pageSize, 1000);
    assert.equal(planListing('b', req({ maxKeys: 1001 })).pageSize, 1000);
    assert.equal(planListing('b', req({ maxKeys: 7 })).pageSize, 7);
  });
  it('starts at the later of the marker (with or without "<bucket>/") and the prefix', () => {
    assert.deepEqual(planListing('b', req({ prefix: 'x', delimiter: '/', marker: 'b/y' })), {
      prefix: 'x',
      delimiter: '/',
      start: 'y',
      end: 'y',
      pageSize: 1000,
    });
    assert.equal(planListing('b', req({ marker: 'y' })).start, 'y');
    assert.equal(planListing('b', req({ marker: 'bb/y' })).start, 'bb/y', 'another bucket name is part of the name');
    assert.equal(planListing('b', req({ marker: 'b/' })).start, '');
    assert.equal(planListing('b', req({ prefix: 'p/', marker: 'b/a' })).start, 'p/');
    assert.equal(planListing('b', req({ prefix: 'p/', marker: 'p/' })).start, 'p/');
    assert.equal(planListing('b', req({ prefix: 'p/', marker: 'b/p/q' })).start, 'p/q');
  });
  it('ends just above the names with the prefix; no end without a prefix', () => {
    assert.equal(planListing('b', req({ prefix: 'p/' })).end, 'p0');
    assert.equal(planListing('b', req()).end, undefined);
  });
});

describe('ListingBuilder', () => {
  it('rolls names up at the first delimiter after the prefix, skipping past the prefix', () => {
    const b = new ListingBuilder<string>(planListing('b', req({ prefix: 'd/', delimiter: '/' })));
    assert.deepEqual(b.add('d/a/1', 'd/a/1'), { kind: 'skip', from: 'd/a0' });
    assert.deepEqual(b.add('d/b', 'd/b'), { kind: 'next' });
    assert.deepEqual(b.add('d/c//x', 'd/c//x'), { kind: 'skip', from: 'd/c0' });
    assert.deepEqual(b.commonPrefixes, ['d/a/', 'd/c/']);
    assert.deepEqual(b.objects, ['d/b']);
  });
  it('rolls up a name that starts with the delimiter (no prefix) and multi-character delimiters', () => {
    const b = new ListingBuilder<string>(planListing('b', req({ delimiter: '/' })));
    assert.deepEqual(b.add('/x', '/x'), { kind: 'skip', from: '0' });
    assert.deepEqual(b.commonPrefixes, ['/']);
    const m = new ListingBuilder<string>(planListing('b', req({ delimiter: '--' })));
    assert.deepEqual(m.add('a-b', 'a-b'), { kind: 'next' });
    assert.deepEqual(m.add('a--b', 'a--b'), { kind: 'skip', from: 'a-.' });
    assert.deepEqual(m.commonPrefixes, ['a--']);
  });
  it('without a delimiter every name is an object', () => {
    const b = new ListingBuilder<number>(planListing('b', req()));
    assert.deepEqual(b.add('a/1', 1), { kind: 'next' });
    assert.deepEqual(b.add('a/2', 2), { kind: 'next' });
    assert.deepEqual(b.objects, [1, 2]);
    assert.deepEqual(b.commonPrefixes, []);
  });
  it('a repeated common prefix is skipped again and not counted', () => {
    const b = new ListingBuilder<string>(planListing('b', req({ delimiter: '/', maxKeys: 2 })));
    b.add('a/1', 'a/1');
    assert.deepEqual(b.add('a/2', 'a/2'), { kind: 'skip', from: 'a0' });
    assert.deepEqual(b.add('b', 'b'), { kind: 'next' });
    assert.deepEqual(b.commonPrefixes, ['a/']);
    assert.equal(b.truncated, false);
    assert.deepEqual(b.add('c', 'c'), { kind: 'full' });
  });
  it('counts objects and prefixes together; the first name over the page is the next name', () => {
    const b = new ListingBuilder<string>(planListing('b', req({ delimiter: '/', maxKeys: 2 })));
    b.add('a/1', 'a/1');
    b.add('b', 'b');
    assert.equal(b.truncated, false);
    assert.equal(b.nextName, undefined);
    assert.deepEqual(b.add('c/1', 'c/1'), { kind: 'full' });
    assert.equal(b.truncated, true);
    assert.equal(b.nextName, 'c/1');
    assert.deepEqual(b.commonPrefixes, ['a/']);
    assert.deepEqual(b.objects, ['b']);
  });
});

describe('listingResult', () => {
  it('echoes the request, reports maxKeys as the cap, reverse false, nextMarker as "<bucket>/<name>"', () => {
    const r = req({ prefix: 'p', delimiter: '/', marker: 'bk/p1', maxKeys: 1 });
    const b = new ListingBuilder<string>(planListing('bk', r));
    b.add('p1', 'o1');
    b.add('p2', 'o2');
    assert.deepEqual(listingResult('bk', r, b, true), {
      name: 'bk',
      prefix: 'p',
      delimiter: '/',
      marker: 'bk/p1',
      nextMarker: 'bk/p2',
      maxKeys: 1000,
      truncated: true,
      reverse: false,
      withMetaData: true,
      objects: ['o1'],
      commonPrefixes: [],
    });
  });
  it('has a null nextMarker when the page is not full', () => {
    const b = new ListingBuilder<string>(planListing('bk', req()));
    b.add('x', 'x');
    const res = listingResult('bk', req(), b, false);
    assert.equal(res.nextMarker, null);
    assert.equal(res.truncated, false);
    assert.equal(res.withMetaData, false);
  });
});

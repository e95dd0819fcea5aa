// The Galaxy-V2 request-target quirks, each in its one place in src/core/fds/query.ts (fds-protocol
// §1.1, §11.3, §14): absolute-form targets (originForm) and odd or repeated query keys (parseQuery).
// The wire side of both is in test/fds/objects.test.ts and test/sites/fds/quirks.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispatch, parsePath } from '../../../src/core/fds/dispatch.ts';
import { formDecode, originForm, parseQuery, splitQuery, splitTarget } from '../../../src/core/fds/query.ts';

describe('absolute-form request targets (originForm)', () => {
  it('drops scheme and authority, keeps path and query as sent', () => {
    const sent = {
      'http://cnbj0-fds.api.xiaomi.net/b1/o?acl': '/b1/o?acl',
      'https://files.fds.api.xiaomi.com:443/b1/dir/%E4%B8%AD?uploads=true': '/b1/dir/%E4%B8%AD?uploads=true',
      'HTTP://10.0.0.1:8081/b': '/b',
      'http://host': '/',
      'http://host?x': '/?x',
    };
    for (const [target, path] of Object.entries(sent)) assert.equal(originForm(target), path, target);
  });

  it('leaves origin-form targets alone, and roots anything else', () => {
    for (const t of ['/', '/b1', '/b1/o?acl', '//double/slash', '/http://not-a-scheme/x']) assert.equal(originForm(t), t);
    assert.equal(originForm('b1/o'), '/b1/o');
  });

  it('gives the same path and query whichever form the SDK sent', () => {
    assert.deepEqual(
      splitTarget('http://cdn.cnbj0.fds.api.mi-img.com/b1?prefix=a&delimiter=%2F'),
      splitTarget('/b1?prefix=a&delimiter=%2F'),
    );
  });
});

describe('odd and repeated query keys (parseQuery)', () => {
  it('treats Java valueless flags, Python "=true" and empty values alike as selectors', () => {
    for (const q of ['acl', 'acl=', 'acl=true']) {
      const params = parseQuery(q);
      assert.ok(params.has('acl'), q);
      assert.deepEqual(dispatch('GET', parsePath('/b'), params), { op: 'getBucketAcl' }, q);
    }
    assert.equal(parseQuery('acl').get('acl'), '');
    assert.equal(parseQuery('acl=true').get('acl'), 'true');
  });

  it('lets the last of a repeated key win (CORE TreeMap), and drops empty items', () => {
    const q = parseQuery('prefix=a&&prefix=b&delimiter=&delimiter=%2F&');
    assert.equal(q.get('prefix'), 'b');
    assert.equal(q.get('delimiter'), '/');
    assert.deepEqual([...q.keys()], ['prefix', 'delimiter']);
  });

  it('form-decodes keys as well as values; Java’s withMetaData=null stays the string', () => {
    assert.deepEqual(Object.fromEntries(parseQuery('response%2Dcontent%2Dtype=text%2Fplain&withMetaData=null&a+b=c+d')), {
      'response-content-type': 'text/plain',
      withMetaData: 'null',
      'a b': 'c d',
    });
  });

  it('never takes credential parameters for selectors', () => {
    const params = parseQuery('GalaxyAccessKeyId=AK&Expires=1&Signature=x&serviceToken=t&appId=1&uploads');
    assert.deepEqual(dispatch('PUT', parsePath('/b/o'), params), { op: 'initMultipart' });
    assert.deepEqual(dispatch('GET', parsePath('/b'), parseQuery('storageAccessToken=t&appId=1')), { op: 'bucketInfo' });
  });
});

describe('query and target splitting, piece by piece', () => {
  it('formDecode turns every + into a space before %XX (so %2B stays a +)', () => {
    assert.equal(formDecode('a+b+c'), 'a b c');
    assert.equal(formDecode('a%2Bb+%20c'), 'a+b  c');
    assert.equal(formDecode('%E4%B8%AD+%zz'), '中 %zz');
  });

  it('splitQuery keeps raw keys and values, undefined for a valueless item, splits at the first "="', () => {
    assert.deepEqual(splitQuery('a=1&b&c=&=d&e==f&&g=h=i'), [
      { rawKey: 'a', rawValue: '1' },
      { rawKey: 'b', rawValue: undefined },
      { rawKey: 'c', rawValue: '' },
      { rawKey: '', rawValue: 'd' },
      { rawKey: 'e', rawValue: '=f' },
      { rawKey: 'g', rawValue: 'h=i' },
    ]);
    assert.deepEqual(splitQuery(''), []);
    assert.deepEqual(splitQuery('&&'), []);
    assert.deepEqual(splitQuery('a+b=%2B'), [{ rawKey: 'a+b', rawValue: '%2B' }]);
  });

  it('parseQuery keeps + in Signature only (raw base64), decoding its %XX', () => {
    const q = parseQuery('Signature=a+b%2F%3D&signature=a+b&x=a+b%2B');
    assert.equal(q.get('Signature'), 'a+b/=');
    assert.equal(q.get('signature'), 'a b');
    assert.equal(q.get('x'), 'a b+');
    assert.equal(parseQuery('Signature').get('Signature'), '');
    assert.equal(parseQuery('Sign%61ture=a+b').get('Signature'), 'a+b');
  });

  it('originForm drops only a real scheme://authority at the start', () => {
    const sent = {
      'svn+ssh.x-1://host:22/p?q': '/p?q',
      'h://a': '/',
      'http://host#frag': '/#frag',
      'http://user@host:1/p': '/p',
      '1http://host/p': '/1http://host/p',
      'b1/http://host/p': '/b1/http://host/p',
      'http:/host/p': '/http:/host/p',
      'http//host/p': '/http//host/p',
      '': '/',
      '?acl': '/?acl',
      'http://host/b1/': '/b1/',
      'b1/': '/b1/',
    };
    for (const [target, path] of Object.entries(sent)) assert.equal(originForm(target), path, target);
  });

  it('splitTarget cuts a fragment, then splits at the first "?"', () => {
    assert.deepEqual(splitTarget('/b1/o?acl&x=1?2'), { path: '/b1/o', query: 'acl&x=1?2' });
    assert.deepEqual(splitTarget('/b1/o'), { path: '/b1/o', query: '' });
    assert.deepEqual(splitTarget('/b1/o?'), { path: '/b1/o', query: '' });
    assert.deepEqual(splitTarget('/b1/o#f?x'), { path: '/b1/o', query: '' });
    assert.deepEqual(splitTarget('/b1/o?a#f'), { path: '/b1/o', query: 'a' });
    assert.deepEqual(splitTarget('http://h/b1?uploads#x'), { path: '/b1', query: 'uploads' });
  });
});

// The FDS error model (src/sites/fds/errors.ts, fds-protocol §10): one handler answers every
// error in FDS's shape — FdsError as it is, Fastify's own refusals (body limit, content type,
// validation, unknown routes and methods, malformed URLs) by their status, anything unexpected as
// 500 InternalServerError that reveals nothing — and HEAD answers carry no body.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installFdsErrorHandler } from '../../../src/sites/fds/errors.ts';
import { type FdsFixture, startFds } from '../../helpers/fds-fixture.ts';
import { rawRequest } from '../../helpers/fds-sdk.ts';

const body = (code: number, error: string, message: string) => JSON.stringify({ code, error, message });

describe("Fastify's own errors in the FDS shape", () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify({ logger: false });
    await app.register(async (scope) => {
      installFdsErrorHandler(scope);
      scope.post('/json', { bodyLimit: 16 }, async () => 'ok');
      scope.get('/typed', { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } }, async () => 'ok');
      scope.get('/boom', async () => {
        throw new Error('secret detail of a database failure');
      });
    });
    await app.ready();
  });
  after(() => app.close());

  it('413 body too large, 415 unsupported content type, 400 malformed JSON', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/json',
      headers: { 'content-type': 'application/json' },
      payload: `{"a":"${'x'.repeat(40)}"}`,
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(big.body), {
      code: 413,
      error: 'RequestEntityTooLarge',
      message: 'Request Entity Too Large: Request body is too large',
    });
    const odd = await app.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/x-odd' }, payload: 'x' });
    assert.equal(odd.statusCode, 415);
    assert.equal(JSON.parse(odd.body).error, 'UnsupportedMediaType');
    const bad = await app.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/json' }, payload: '{' });
    assert.equal(bad.statusCode, 400);
    assert.equal(JSON.parse(bad.body).error, 'InvalidRequest');
  });

  it('400 Invalid Request for a schema validation failure', async () => {
    const r = await app.inject({ method: 'GET', url: '/typed?n=x' });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(JSON.parse(r.body), { code: 400, error: 'InvalidRequest', message: 'Invalid Request: querystring/n must be integer' });
  });

  it('an unknown route or method is 405 Request Not Supported', async () => {
    const r = await app.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(r.statusCode, 405);
    assert.equal(r.body, body(405, 'RequestNotSupported', 'Request Not Supported: GET here'));
  });

  it('anything unexpected is 500 Internal Server Error, without its detail; HEAD gets no body', async () => {
    const r = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(r.statusCode, 500);
    assert.equal(r.body, body(500, 'InternalServerError', 'Internal Server Error'));
    const head = await app.inject({ method: 'HEAD', url: '/boom' });
    assert.equal(head.statusCode, 500);
    assert.equal(head.body, '');
  });
});

describe('errors on the FDS origin', () => {
  let f: FdsFixture;
  before(async () => {
    f = await startFds();
    await f.owner.ok('PUT', '/errors');
  });
  after(() => f.close());

  it('an unknown method gets an FDS 405 with the request id and CORS headers', async () => {
    const r = await rawRequest(f.t.fdsUrl, 'PROPFIND', '/errors/x', { 'x-xiaomi-request-id': 'abcd1234_7' });
    assert.equal(r.status, 405);
    assert.equal(r.body.toString(), body(405, 'RequestNotSupported', 'Request Not Supported: PROPFIND here'));
    assert.equal(r.headers['x-xiaomi-request-id'], 'abcd1234_7');
    assert.equal(r.headers['access-control-allow-methods'], 'GET, POST, PUT, HEAD, DELETE, OPTIONS');
  });

  it('a malformed path is refused before routing, still in FDS shape with a request id', async () => {
    const r = await rawRequest(f.t.fdsUrl, 'GET', '/errors/%E4%ZZ', {});
    assert.equal(r.status, 400);
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(JSON.parse(r.body.toString()).error, 'InvalidRequest');
    assert.ok(r.headers['x-xiaomi-request-id']);
  });

  it('HEAD errors carry no body', async () => {
    for (const [target, status] of [
      ['/errors/missing', 404],
      ['/no-such-bucket/x', 404],
      ['/', 405],
    ] as const) {
      const r = await rawRequest(f.t.fdsUrl, 'HEAD', target, {});
      assert.equal(r.status, status, target);
      assert.equal(r.body.length, 0, target);
    }
  });

  it('an object whose bytes vanished is a 500 that reveals nothing', async () => {
    await f.owner.ok('PUT', '/errors/lost', { body: 'gone soon' });
    const row = await f.t.ctx.db.kysely.selectFrom('fds_objects').select('blob_key').where('name', '=', 'lost').executeTakeFirstOrThrow();
    await f.t.ctx.blobs.delete(row.blob_key);
    const r = await f.owner.send('GET', '/errors/lost');
    assert.equal(r.status, 500);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(await r.text(), body(500, 'InternalServerError', 'Internal Server Error'));
  });

  it('bodies are never parsed by Fastify: a JSON content type with any bytes is stored as sent', async () => {
    await f.owner.ok('PUT', '/errors/not-json', { body: '{"broken', headers: { 'content-type': 'application/json' } });
    const r = await f.owner.send('GET', '/errors/not-json');
    assert.equal(await r.text(), '{"broken');
    assert.equal(r.headers.get('content-type'), 'application/json');
  });
});

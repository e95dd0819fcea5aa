// The error-family plumbing (src/http/errors.ts) through real HTTP on a bare Fastify instance: one
// scoped handler renders the family's own errors, Fastify's own request errors (validation,
// unreadable and oversized bodies) and unexpected failures (logged, never shown), and scopes
// outside the family keep theirs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ErrorFamily, type RequestFault, requestFault, useErrorFamily } from '../../src/http/errors.ts';
import { typed } from '../../src/http/typed.ts';

class Teapot extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

interface Wire {
  status: number;
  body: string;
}

const family: ErrorFamily<Wire> = {
  name: 'test family',
  recognise: (err) => (err instanceof Teapot ? { status: 418, body: `teapot:${err.why}` } : undefined),
  fromFault: (f: RequestFault) => ({ status: 400, body: `fault:${f.kind}:${f.code}:${f.statusCode}` }),
  internal: () => ({ status: 500, body: 'internal' }),
  unavailable: () => ({ status: 503, body: 'unavailable' }),
  send: (e, _req, reply) => reply.code(e.status).type('text/plain').send(e.body),
};

describe('useErrorFamily', () => {
  let app: FastifyInstance;
  let base = '';
  const logged: Array<{ level: number; msg: string }> = [];
  before(async () => {
    app = Fastify({
      logger: {
        level: 'info',
        stream: {
          write: (line: string) => {
            const j = JSON.parse(line) as { level: number; msg: string };
            logged.push({ level: j.level, msg: j.msg });
          },
        },
      },
      bodyLimit: 100,
    });
    await app.register(async (scope) => {
      useErrorFamily(scope, family);
      const r = typed(scope);
      r.get('/own', async () => {
        throw new Teapot('short and stout');
      });
      r.post('/typed', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async (req) => ({ twice: req.body.n * 2 }));
      r.get('/boom', async () => {
        throw new Error('secret detail');
      });
      r.get('/store-down', async () => {
        // As pg reports a refused connection (a restart), wrapped once.
        throw new Error('query failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
        });
      });
      r.get('/pg-shutdown', async () => {
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      });
      r.get('/redis-down', async () => {
        throw Object.assign(new Error('Reached the max retries per request limit (which is 3).'), { name: 'MaxRetriesPerRequestError' });
      });
      await scope.register(async (child) => {
        child.get('/child', async () => {
          throw new Teapot('inherited');
        });
      });
    });
    app.get('/outside', async () => {
      throw new Teapot('not in the family');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(async () => {
    await app.close();
  });
  const text = async (path: string, init?: RequestInit) => {
    const r = await fetch(base + path, init);
    return `${r.status} ${await r.text()}`;
  };
  const post = (body: string, type = 'application/json') => ({ method: 'POST', headers: { 'content-type': type }, body });

  test("the family's own errors, in the scope and its children", async () => {
    assert.equal(await text('/own'), '418 teapot:short and stout');
    assert.equal(await text('/child'), '418 teapot:inherited');
  });

  test("Fastify's own request errors come out in the family's shape", async () => {
    assert.equal(await text('/typed', post('{"n":2}')), '200 {"twice":4}');
    assert.equal(await text('/typed', post('{"n":"x"}')), '400 fault:validation:FST_ERR_VALIDATION:400');
    assert.equal(await text('/typed', post('{bad')), '400 fault:body:FST_ERR_CTP_INVALID_JSON_BODY:400');
    assert.equal(await text('/typed', post(`{"n":${'1'.repeat(200)}}`)), '400 fault:body:FST_ERR_CTP_BODY_TOO_LARGE:413');
    assert.equal(
      await text('/typed', post('n=1', 'application/x-www-form-urlencoded')),
      '400 fault:body:FST_ERR_CTP_INVALID_MEDIA_TYPE:415',
    );
  });

  test('an unexpected failure answers the internal error, logged but never shown', async () => {
    logged.length = 0;
    const answer = await text('/boom');
    assert.equal(answer, '500 internal');
    assert.ok(!answer.includes('secret'));
    assert.ok(logged.some((l) => l.level === 50 && l.msg === 'test family: unexpected failure'));
  });

  test('a store that cannot be reached answers the unavailable error (503), not the internal one', async () => {
    logged.length = 0;
    for (const path of ['/store-down', '/pg-shutdown', '/redis-down']) assert.equal(await text(path), '503 unavailable', path);
    assert.ok(logged.some((l) => l.level === 40 && l.msg === 'test family: a store is unavailable'));
    assert.ok(!logged.some((l) => l.level === 50));
  });

  test('routes outside the scope keep their own handler', async () => {
    const r = await fetch(`${base}/outside`);
    assert.equal(r.status, 500);
    assert.match(await r.text(), /"statusCode":500/);
  });

  test('requestFault recognises only Fastify client errors', () => {
    assert.equal(requestFault(new Error('plain')), undefined);
    assert.equal(requestFault('a string'), undefined);
    assert.equal(requestFault(Object.assign(new Error('x'), { statusCode: 503, code: 'FST_ERR_CTP_X' })), undefined);
    assert.deepEqual(requestFault(Object.assign(new Error('m'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' })), {
      kind: 'body',
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
      message: 'm',
    });
    assert.equal(requestFault(Object.assign(new Error('m'), { statusCode: 400, validation: [] }))?.kind, 'validation');
  });
});

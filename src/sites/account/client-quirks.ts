// How the account origin reads request bodies, for the clients it must serve as they are. Each
// tolerance lives here once, with the clients that need it; the repeated-parameter rule is in
// src/http/params.ts, the MAC host names in open/mac-check.ts.
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { paramsFromQuery } from '../../core/account/authorize-request.ts';

const BODY_LIMIT = 64 * 1024;

/**
 * OAuth endpoints and the passbook issuing API: form bodies of any content type. Some token
 * clients send their form as text/plain or with no content type at all (account-protocol §4.1);
 * application/x-www-form-urlencoded and JSON keep their own parsers.
 */
export async function readAnyBodyAsForm(scope: FastifyInstance): Promise<void> {
  if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) await scope.register(formbody);
  scope.removeContentTypeParser('text/plain');
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    done(null, paramsFromQuery(String(body)));
  });
}

/**
 * Open APIs: every body is kept as the text that was sent (JSON and text/plain included), so that
 * MAC verification sees the form parameters in their order and encoding (account-protocol §5.3);
 * requests without a body read as ''. Routes declare `body: RawBody`.
 */
export function keepRawBodies(scope: FastifyInstance): void {
  scope.removeContentTypeParser(['application/json', 'text/plain']);
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
  scope.addHook('preValidation', (req, _reply, done) => {
    req.body ??= '';
    done();
  });
}

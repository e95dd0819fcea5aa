// Repeated request parameters. Clients repeat parameters (`a=1&a=2`); Fastify parses repeats into
// arrays, which a schema declaring a string refuses. The account protocol reads the first value
// (account-protocol §4.1). This hook is the one place that tolerance lives: before validation it
// keeps the first value of every repeated query or body parameter; the route's schema then does the
// rest (types, coercion of JSON numbers to strings, refusals).
import type { preValidationHookHandler } from 'fastify';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `o` with every array value replaced by its first element. */
export function firstOfRepeats(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

/**
 * preValidation: query and object bodies → `firstOfRepeats`; an absent body → `{}` (GET and POST
 * share one parameter schema). Other bodies (a JSON array, a raw string) go to the schema as sent.
 */
export const firstValueOfRepeats: preValidationHookHandler = (req, _reply, done) => {
  if (isPlainObject(req.query)) req.query = firstOfRepeats(req.query);
  if (req.body === undefined) req.body = {};
  else if (isPlainObject(req.body)) req.body = firstOfRepeats(req.body);
  done();
};

// Whether a failure means a store (PostgreSQL, Redis, the S3 endpoint) cannot be reached right
// now, as opposed to a bug: such requests are answered 503 in each family's shape, at once (the
// clients retry), and the server recovers by itself when the store is back (pg's pool opens new
// connections, ioredis reconnects). Looks through `cause` chains and AggregateErrors.

/** Socket-level codes of a store that is down or restarting. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);
/** PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up). */
const PG_STATES = /^(08\d{3}|57P0[123])$/;
/** What pg and ioredis say when their connection is gone (they set no code). */
const MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/;

export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 5) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_STATES.test(code))) return true;
  if (err.name === 'MaxRetriesPerRequestError' || MESSAGES.test(err.message)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isStoreUnavailable(e, depth + 1))) return true;
  return isStoreUnavailable(err.cause, depth + 1);
}

/** The message every family shows for it. */
export const STORE_UNAVAILABLE_MESSAGE = 'service unavailable: a data store cannot be reached; retry shortly';

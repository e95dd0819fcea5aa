// The OAuth playground's runs, kept in the shared cache for RUN_TTL_MS (any node may serve the
// callback): what the start form chose (app, response type, PKCE verifier, redirect URI), bound to
// the developer who started it, and, once the code was exchanged, what the exchange and the
// open-API calls showed. The access token and MAC key stay there until the run expires, so that
// "call again" can sign new requests; nothing else keeps them.
import type { Cache } from '../../../store/cache/cache.ts';

export const RUN_TTL_MS = 15 * 60_000;

export interface ApiCall {
  path: string;
  url: string;
  canonical: string;
  mac: string;
  authorization: string;
  status: number;
  body: string;
}

export interface Exchange {
  method: 'GET' | 'POST';
  /** The request as sent, the client secret masked. */
  shownRequest: string;
  status: number;
  raw: string;
  fields: Array<[string, string]>;
  accessToken?: string;
  macKey?: string;
  calls: ApiCall[];
}

export interface Run {
  userId: string;
  clientId: string;
  redirectUri: string;
  responseType: 'code' | 'token';
  verifier?: string;
  exchange?: Exchange;
}

const key = (id: string) => `playground:run:${id}`;
export const RUN_ID_RE = /^[A-Za-z0-9_-]{32,64}$/;

export async function saveRun(cache: Cache, id: string, run: Run): Promise<void> {
  await cache.set(key(id), JSON.stringify(run), RUN_TTL_MS);
}

/** The run `id` when it exists and belongs to `userId`. */
export async function loadRun(cache: Cache, id: string | undefined, userId: string): Promise<Run | undefined> {
  if (!id || !RUN_ID_RE.test(id)) return undefined;
  const raw = await cache.get(key(id));
  if (!raw) return undefined;
  const run = JSON.parse(raw) as Run;
  return run.userId === userId ? run : undefined;
}

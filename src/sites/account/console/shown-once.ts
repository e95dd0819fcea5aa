// Secrets the console shows once after a POST (a new client secret, a new FDS access secret): the
// POST keeps them in the shared cache for SHOWN_TTL_MS under a random id bound to the user, and
// answers 303 to the page with `?shown=<id>`; that page reads them (GET changes nothing, so a
// reload within the TTL shows them again; afterwards they are gone; only hashes or seals remain).

import { newCredential } from '../../../lib/random.ts';
import type { Cache } from '../../../store/cache/cache.ts';

export const SHOWN_TTL_MS = 120_000;

export interface Shown {
  clientSecret?: string;
  accessKeyId?: string;
  accessSecret?: string;
}

const key = (id: string) => `console:shown:${id}`;

export async function keepToShow(cache: Cache, userId: string, clientId: string, s: Shown): Promise<string> {
  const id = newCredential(24);
  await cache.set(key(id), JSON.stringify({ userId, clientId, ...s }), SHOWN_TTL_MS);
  return id;
}

export async function readShown(cache: Cache, id: string | undefined, userId: string, clientId: string): Promise<Shown | undefined> {
  if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return undefined;
  const raw = await cache.get(key(id));
  if (!raw) return undefined;
  const v = JSON.parse(raw) as Shown & { userId: string; clientId: string };
  return v.userId === userId && v.clientId === clientId ? v : undefined;
}

// jose, loaded on the first key or id_token operation instead of with the server: a server that
// never meets an OpenID Connect request never loads it (with nodemailer and yaml, about 4 MiB of an
// idle server's memory; bench/README.md, "Memory: the allocator, SQLite's cache").
import { Lazy } from '../../lib/lazy.ts';

const jose = new Lazy(() => import('jose'));

/** jose, imported once (a failed import is not kept). */
export const loadJose = (): Promise<typeof import('jose')> => jose.get();

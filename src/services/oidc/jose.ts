// jose, loaded on the first key or id_token operation instead of with the server: a server that
// never meets an OpenID Connect request never loads it (with nodemailer and yaml, about 4 MiB of an
// idle server's memory; bench/README.md, "Memory: the allocator, SQLite's cache").
let loading: Promise<typeof import('jose')> | undefined;

/** jose, imported once (a failed import is not kept). */
export function loadJose(): Promise<typeof import('jose')> {
  loading ??= import('jose').catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

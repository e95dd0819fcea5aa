// Shared plumbing for CLI commands: configuration, a store context, output as text or JSON, and
// the one exit-code table: every error, usage errors included, becomes a clear message and the
// exit code documented in docs/cli.md.
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import type { Context } from '../context.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { ChecksumError, FdsError } from './fds-client/errors.ts';
import { AdminApi, remoteTarget } from './remote.ts';

export interface GlobalOptions {
  json?: boolean;
}

/** Exit codes of every `opal` command (docs/cli.md). */
export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, conflict: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An FDS server's refusal, by HTTP status; other statuses are `failed`. */
const EXIT_BY_FDS_STATUS: Readonly<Record<number, ExitCode>> = { 404: EXIT.notFound, 409: EXIT.conflict };

/** Which error ends a command with which code: the first match wins, anything else is `failed`. */
const EXIT_BY_ERROR: ReadonlyArray<readonly [match: (e: unknown) => boolean, code: (e: unknown) => ExitCode]> = [
  [(e) => e instanceof ConfigError || e instanceof InvalidInputError, () => EXIT.usage],
  [(e) => e instanceof NotFoundError, () => EXIT.notFound],
  [(e) => e instanceof ConflictError, () => EXIT.conflict],
  [(e) => e instanceof FdsError, (e) => EXIT_BY_FDS_STATUS[(e as FdsError).status] ?? EXIT.failed],
];

export function exitCodeOf(e: unknown): ExitCode {
  for (const [match, code] of EXIT_BY_ERROR) if (match(e)) return code(e);
  return EXIT.failed;
}

/** Fields a --json error carries beside `error` and `code`. */
function errorDetail(e: unknown): Record<string, unknown> {
  if (e instanceof FdsError) return { status: e.status };
  if (e instanceof ChecksumError) return { checksum: true };
  return {};
}

/** Prints an error: `{"error", "code", …}` on stdout with --json, else `opal: message` on stderr. */
export function printError(message: string, code: ExitCode, json: boolean, detail: Record<string, unknown> = {}): void {
  if (json) process.stdout.write(`${JSON.stringify({ error: message, code, ...detail })}\n`);
  else process.stderr.write(`opal: ${message}\n`);
}

export function fail(e: unknown, json: boolean): never {
  const code = exitCodeOf(e);
  printError(e instanceof Error ? e.message : String(e), code, json, errorDetail(e));
  process.exit(code);
}

/** Whether --json was given on the command or any parent. */
export function wantsJson(cmd: Command): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) if (c.opts().json) return true;
  return false;
}

/**
 * Runs `action`, prints its result as JSON with --json or via `human` otherwise (`human` returning
 * undefined prints nothing), on stdout or, with `toStderr` (when stdout carries object bytes), on
 * stderr; exits with the code of the exit-code table on error.
 */
export async function execute<T>(
  cmd: Command,
  action: (json: boolean) => Promise<T>,
  human: (result: T) => string | undefined,
  opts: { toStderr?: boolean } = {},
): Promise<void> {
  const json = wantsJson(cmd);
  try {
    const result = await action(json);
    const out = opts.toStderr ? process.stderr : process.stdout;
    const text = json ? JSON.stringify(result, null, 2) : human(result);
    if (text !== undefined) out.write(`${text}\n`);
  } catch (e) {
    fail(e, json);
  }
}

/** Runs `action` with a data context (migrations applied), closed before the result is printed. */
export async function withContext<T>(
  cmd: Command,
  action: (ctx: Context) => Promise<T>,
  human: (result: T) => string,
  opts: { full?: boolean } = {},
): Promise<void> {
  await execute(
    cmd,
    async () => {
      const config = loadConfig();
      // Loaded on use: `--help` and usage errors then answer without loading the stores.
      const { createContext } = await import('../context.ts');
      const ctx = await createContext(config, { full: opts.full ?? false });
      try {
        return await action(ctx);
      } finally {
        await ctx.close();
      }
    },
    human,
  );
}

/**
 * withContext for a command that also runs in remote mode (remote.ts): `remote` gets an admin API
 * client when --url/--token (or OPAL_URL/OPAL_ADMIN_TOKEN) are given, `local` a data context otherwise.
 */
export async function withStoreOrRemote<T>(
  cmd: Command,
  local: (ctx: Context) => Promise<T>,
  remote: (api: AdminApi) => Promise<T>,
  human: (result: T) => string,
  opts: { full?: boolean } = {},
): Promise<void> {
  let target: ReturnType<typeof remoteTarget>;
  try {
    target = remoteTarget(cmd);
  } catch (e) {
    fail(e, wantsJson(cmd));
  }
  if (target === undefined) return withContext(cmd, local, human, opts);
  const api = new AdminApi(target);
  await execute(cmd, () => remote(api), human);
}

/** Formats rows as an aligned text table. */
export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

/** Formats an object as `key: value` lines. */
export function fields(o: Record<string, unknown>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v ? JSON.stringify(v) : v}`)
    .join('\n');
}

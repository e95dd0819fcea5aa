// Shared plumbing for CLI commands: configuration, a store context, output as text or JSON, and
// errors turned into a clear message and a non-zero exit code.
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import type { Context } from '../context.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';

export interface GlobalOptions {
  json?: boolean;
}

/** Exit codes: 1 operation failed, 2 bad configuration or usage, 3 not found, 4 conflict. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof ConfigError || e instanceof InvalidInputError) return 2;
  if (e instanceof NotFoundError) return 3;
  if (e instanceof ConflictError) return 4;
  return 1;
}

export function fail(e: unknown, json: boolean): never {
  const message = e instanceof Error ? e.message : String(e);
  if (json) process.stdout.write(`${JSON.stringify({ error: message, code: exitCodeOf(e) })}\n`);
  else process.stderr.write(`opal: ${message}\n`);
  process.exit(exitCodeOf(e));
}

/** Whether --json was given on the command or any parent. */
export function wantsJson(cmd: Command): boolean {
  for (let c: Command | null = cmd; c; c = c.parent) if (c.opts().json) return true;
  return false;
}

/**
 * Runs `action` with a data context (migrations applied), prints its result as JSON with --json
 * or via `human` otherwise, and exits non-zero with a clear message on error.
 */
export async function withContext<T>(
  cmd: Command,
  action: (ctx: Context) => Promise<T>,
  human: (result: T) => string,
  opts: { full?: boolean } = {},
): Promise<void> {
  const json = wantsJson(cmd);
  let ctx: Context | undefined;
  try {
    const config = loadConfig();
    // Loaded on use: `--help` and usage errors then answer without loading the stores.
    const { createContext } = await import('../context.ts');
    ctx = await createContext(config, { full: opts.full ?? false });
    const result = await action(ctx);
    await ctx.close();
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`);
  } catch (e) {
    await ctx?.close();
    fail(e, json);
  }
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

// Queries built and compiled once per dialect and then run with fresh parameter values: the hot
// write paths (code exchange, refresh rotation) skip Kysely's per-call work of building immutable
// operation nodes and compiling them to SQL, which a profile of the token endpoint showed as about
// a sixth of its CPU. The query is built once with a placeholder for each named parameter; every
// compiled parameter that is a placeholder is then filled from the call's values, the others (a
// constant the builder wrote itself) are kept. The SQL text is the same on every call, so the
// embedded driver's statement cache hits too.
//
// On the embedded store, a query inside a transaction goes straight to the transaction's connection,
// and a read outside one to a connection kept for the database. Through Kysely, each statement of a
// transaction passes an executor made for it, an assertion wrapper, the single-connection provider
// and the result's plugin pass (a read outside one: the provider, a connection made and released):
// about a dozen promises and closures per statement, a fifth of what a code exchange allocated
// (bench/README.md, "Statements straight to the embedded store's connection"). The direct path
// skips Kysely's plugins (their result pass): no database handle here has any, and one that had
// would need its own compilation too (`byAdapter` ignores plugins).
import {
  type Compilable,
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Kysely,
  type QueryResult,
  SelectQueryNode,
} from 'kysely';
import type { Database } from './schema.ts';
import { Session } from './sqlite-session.ts';

type Slot = { key: string } | { value: unknown };

interface Compiled {
  query: CompiledQuery;
  slots: Slot[];
  /** A select: it may run on a database's kept connection. */
  read: boolean;
}

const MARK = '\u0000opal-param:';

/** Per database or transaction: its embedded-store connection, or null on another dialect. */
const sessions = new WeakMap<Kysely<Database>, Session | null>();

/**
 * The embedded-store connection to run a statement of `db` on directly: a transaction's own while it
 * is open (one that has ended goes through Kysely, which refuses it), and for a read outside a
 * transaction one kept for the database (a read changes nothing in it). undefined otherwise: a
 * write outside a transaction (it awaits its own batch through its own connection), or another
 * dialect.
 */
async function directSession(db: Kysely<Database>, read: boolean): Promise<Session | undefined> {
  if (!read && !db.isTransaction) return undefined;
  let s = sessions.get(db);
  if (s === undefined) {
    // Decided inside the provider: another dialect's connection never leaves it.
    s = await db.getExecutor().provideConnection(async (conn: DatabaseConnection) => (conn instanceof Session ? conn : null));
    sessions.set(db, s);
  }
  if (s === null || (db.isTransaction && !s.inTransaction)) return undefined;
  return s;
}

export class PreparedQuery<P extends Record<string, unknown>, O = unknown> {
  /** One compilation per dialect (a transaction shares its database's adapter). */
  private readonly byAdapter = new WeakMap<DialectAdapter, Compiled>();

  /**
   * @param keys the parameter names (each must reach the query as one value)
   * @param build the query, written with `p.name` wherever a value goes
   */
  constructor(
    private readonly keys: readonly (keyof P & string)[],
    private readonly build: (db: Kysely<Database>, p: P) => Compilable<O>,
  ) {}

  /** Runs the query on `db` (a database or a transaction) with these values. */
  async execute(db: Kysely<Database>, values: P): Promise<QueryResult<O>> {
    const c = this.compiled(db);
    const parameters = c.slots.map((s) => ('key' in s ? values[s.key] : s.value));
    const q: CompiledQuery<O> = { query: c.query.query, queryId: c.query.queryId, sql: c.query.sql, parameters };
    const session = await directSession(db, c.read);
    return session ? session.executeQuery<O>(q) : db.executeQuery(q);
  }

  /** The first row, if any (a select). */
  async first(db: Kysely<Database>, values: P): Promise<O | undefined> {
    return (await this.execute(db, values)).rows[0];
  }

  /** How many rows the statement changed (an update, insert or delete). */
  async changed(db: Kysely<Database>, values: P): Promise<bigint> {
    return (await this.execute(db, values)).numAffectedRows ?? 0n;
  }

  private compiled(db: Kysely<Database>): Compiled {
    const adapter = db.getExecutor().adapter;
    const hit = this.byAdapter.get(adapter);
    if (hit) return hit;
    const marks = Object.fromEntries(this.keys.map((k) => [k, `${MARK}${k}`])) as P;
    const query = this.build(db, marks).compile();
    const slots = query.parameters.map((v): Slot => {
      if (typeof v === 'string' && v.startsWith(MARK)) return { key: v.slice(MARK.length) };
      return { value: v };
    });
    const used = new Set(slots.flatMap((s) => ('key' in s ? [s.key] : [])));
    const unused = this.keys.filter((k) => !used.has(k));
    if (unused.length > 0) throw new Error(`prepared query does not use its parameter(s) ${unused.join(', ')}: ${query.sql}`);
    const c = { query, slots, read: SelectQueryNode.is(query.query) };
    this.byAdapter.set(adapter, c);
    return c;
  }
}

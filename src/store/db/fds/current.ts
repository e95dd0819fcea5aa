// `is_current` in the WHERE clauses of queries, always as SQL literals, never as bound parameters.
// fds_objects_current is a partial index (`where is_current = 1`); when a statement's plan depends
// on a bound value (such an index), SQLite expires the statement at every bind of that parameter
// and prepares it again on the next step: the object read of every GET, HEAD and write was
// prepared anew each time (test/store/fds-current-literal.test.ts; bench/README.md, issue 10).
import { sql } from 'kysely';

/** `is_current = 1` / `= 0`, written into the SQL. */
export const CURRENT = sql.lit(1);
export const NOT_CURRENT = sql.lit(0);

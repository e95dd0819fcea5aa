// The few column types that differ between SQLite and PostgreSQL.
import type { ColumnDataType } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** Epoch-millisecond timestamps and other 64-bit counters (byte sizes). */
export function timeColumn(d: Dialect): ColumnDataType {
  return d === 'postgres' ? 'bigint' : 'integer';
}

/** Auto-assigned surrogate keys (SQLite: INTEGER PRIMARY KEY is the rowid). */
export function idColumn(d: Dialect): ColumnDataType {
  return d === 'postgres' ? 'serial' : 'integer';
}

/** Binary columns. */
export function bytesColumn(d: Dialect): ColumnDataType {
  return d === 'postgres' ? 'bytea' : 'blob';
}

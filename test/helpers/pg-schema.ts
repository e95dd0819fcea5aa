// A fresh PostgreSQL schema for tests that run real processes: the URL selects it through the
// `options=-c search_path=…` connection parameter, so OPAL_DATABASE_URL needs nothing else.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface PgSchema {
  name: string;
  /** OPAL_DATABASE_URL that uses only this schema. */
  url: string;
  query<T extends pg.QueryResultRow>(sql: string): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createPgSchema(baseUrl: string): Promise<PgSchema> {
  const name = `t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const run = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end();
    }
  };
  await run(`CREATE SCHEMA ${name}`);
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: u.toString(),
    query: (sql) => run(sql.replaceAll('$schema', name)),
    drop: async () => {
      await run(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

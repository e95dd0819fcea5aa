// Table types of the one schema shared by SQLite and PostgreSQL. Each feature keeps its tables in
// its own file (core-tables.ts, …) and adds them to `Database` here.
// Conventions: ids that are 64-bit numbers on the wire are TEXT; times are epoch milliseconds
// (INTEGER / BIGINT, read back as numbers); booleans are INTEGER 0/1.
import type { CoreTables } from './core-tables.ts';
import type { FactorTables } from './factor-tables.ts';
import type { FdsTables } from './fds/tables.ts';
import type { OAuthTables } from './oauth-tables.ts';
import type { OidcTables } from './oidc-tables.ts';
import type { PassbookTables } from './passbook-tables.ts';
import type { SelfServiceTables } from './self-service-tables.ts';
import type { StorageTokenTables } from './storage-token-tables.ts';

export interface Database
  extends CoreTables,
    FdsTables,
    OAuthTables,
    OidcTables,
    PassbookTables,
    StorageTokenTables,
    SelfServiceTables,
    FactorTables {}

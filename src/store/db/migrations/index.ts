// The one ordered migration set, applied on start and by `opal migrate`. Append only: never edit a
// migration that has shipped; add a new one.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import * as core from './001_core.ts';
import * as oauth from './002_oauth.ts';
import * as fds from './003_fds.ts';
import * as passbook from './004_passbook.ts';
import * as storageTokens from './005_storage_tokens.ts';
import * as selfService from './008_self_service.ts';
import * as oidc from './009_oidc.ts';
import * as fdsDerived from './010_fds_derived.ts';
import * as admin from './011_admin.ts';
import * as accountCenter from './012_account_center.ts';
import * as factors from './013_factors.ts';
import * as friendRequestsCodeHost from './016_friend_requests_code_host.ts';
import * as nodes from './019_nodes.ts';
import * as fdsSmallBlobs from './020_fds_small_blobs.ts';

export type MigrationUp = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

export const MIGRATIONS: ReadonlyArray<readonly [name: string, up: MigrationUp]> = [
  ['001_core', core.up],
  ['002_oauth', oauth.up],
  ['003_fds', fds.up],
  ['005_storage_tokens', storageTokens.up],
  ['004_passbook', passbook.up],
  ['008_self_service', selfService.up],
  ['009_oidc', oidc.up],
  ['010_fds_derived', fdsDerived.up],
  ['011_admin', admin.up],
  ['012_account_center', accountCenter.up],
  ['013_factors', factors.up],
  ['016_friend_requests_code_host', friendRequestsCodeHost.up],
  ['019_nodes', nodes.up],
  ['020_fds_small_blobs', fdsSmallBlobs.up],
];

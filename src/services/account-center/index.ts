// The account center's services, built once by the context (ctx.services.account).
import type { Kysely } from 'kysely';
import type { Gate } from '../../lib/gate.ts';
import type { Cache } from '../../store/cache/cache.ts';
import { AvatarsRepo } from '../../store/db/avatars-repo.ts';
import type { WebSessionsRepo } from '../../store/db/oauth-sessions-repo.ts';
import { OAuthTokensRepo } from '../../store/db/oauth-tokens-repo.ts';
import type { Database } from '../../store/db/schema.ts';
import type { AppService } from '../apps.ts';
import type { AuditService } from '../audit.ts';
import type { Messenger } from '../messaging/messenger.ts';
import type { OAuthService } from '../oauth/oauth-service.ts';
import type { PassbookService } from '../passbook.ts';
import type { SignOut } from '../sign-out.ts';
import type { StorageTokenService } from '../storage-tokens/service.ts';
import { PasswordThrottle } from '../throttle.ts';
import type { UserService } from '../users.ts';
import { AvatarService } from './avatars.ts';
import { AccountCenter } from './center.ts';
import { ContactChange } from './contact-change.ts';
import { PasswordChange } from './password-change.ts';

export interface AccountServices {
  center: AccountCenter;
  avatars: AvatarService;
  contact: ContactChange;
  password: PasswordChange;
}

export function accountServices(d: {
  db: Kysely<Database>;
  users: UserService;
  apps: AppService;
  oauth: OAuthService;
  passbook: PassbookService;
  storageTokens: StorageTokenService;
  sessions: WebSessionsRepo;
  signOut: SignOut;
  messenger: Messenger;
  audit: AuditService;
  cache: () => Cache;
  /** The process's image gate (shared with FDS image operations). */
  imageGate: Gate;
  /** OPAL_PUBLIC_URL (the account origin). */
  publicUrl: string;
  now: () => number;
}): AccountServices {
  const password = new PasswordChange({ users: d.users, throttle: new PasswordThrottle(d.cache), signOut: d.signOut, audit: d.audit });
  return {
    center: new AccountCenter({
      sessions: d.sessions,
      tokens: new OAuthTokensRepo(d.db),
      oauth: d.oauth,
      apps: d.apps,
      passbook: d.passbook,
      storageTokens: d.storageTokens,
      audit: d.audit,
      now: d.now,
    }),
    avatars: new AvatarService({ repo: new AvatarsRepo(d.db), users: d.users, audit: d.audit, gate: d.imageGate, now: d.now }),
    contact: new ContactChange({
      users: d.users,
      messenger: d.messenger,
      audit: d.audit,
      cache: d.cache,
      prove: (user, current, ip) => password.prove(user, current, ip),
      accountUrl: `${d.publicUrl}/account`,
      now: d.now,
    }),
    password,
  };
}

// Demo data for a first start on an empty embedded store: a developer, an app and two users who
// are friends (the first with the developer role, acting for the demo developer), so that every
// open API has something to return.
import type { AppService } from './apps.ts';
import type { AuditService } from './audit.ts';
import type { FriendService } from './friends.ts';
import type { UserService } from './users.ts';

/** The services the demo seed uses (the context's, `ctx.services`). */
export interface DemoServices {
  users: UserService;
  apps: AppService;
  friends: FriendService;
  audit: AuditService;
}

export const DEMO_PASSWORD = 'opal-demo';

/** The OAuth playground's callback on the account origin (sites/account/playground/routes.ts). */
export const PLAYGROUND_CALLBACK_PATH = '/playground/callback';

export interface DemoSeed {
  developer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The playground callback registered for the demo app, when the account origin's URL was known. */
  playgroundCallback?: string;
  account: string;
  password: string;
  userId: string;
}

/** True when the store holds no users and no apps yet. */
export async function isEmptyStore(services: DemoServices): Promise<boolean> {
  const [users, apps] = await Promise.all([services.users.list(1), services.apps.list()]);
  return users.length === 0 && apps.length === 0;
}

/**
 * The first-start banner's "try" link: an authorize request of the demo app whose redirect_uri is
 * the playground callback (naming the app, so that the callback can offer the exchange).
 */
export function demoTryUrl(accountUrl: string, demo: Pick<DemoSeed, 'clientId'>): string {
  const callback = `${accountUrl}${PLAYGROUND_CALLBACK_PATH}?client_id=${demo.clientId}`;
  return `${accountUrl}/oauth2/authorize?client_id=${demo.clientId}&response_type=code&redirect_uri=${encodeURIComponent(callback)}&scope=1%202%203%204%206`;
}

/** Seeds the demo data; `accountUrl` (the account origin's base URL) adds the playground callback to the demo app. */
export async function seedDemo(services: DemoServices, accountUrl?: string): Promise<DemoSeed> {
  const { users, apps, friends, audit } = services;
  const redirectUri = 'http://127.0.0.1:3000/callback';
  const playgroundCallback = accountUrl ? `${accountUrl}${PLAYGROUND_CALLBACK_PATH}` : undefined;
  const { app, clientSecret } = await apps.create({
    name: 'Opal Demo App',
    developer: 'demo',
    redirectUris: [redirectUri, 'http://localhost:3000/callback', playgroundCallback].filter(Boolean).join(';'),
    scopes: [1, 2, 3, 4, 6, 16000],
  });
  const alice = await users.create({
    account: 'demo',
    password: DEMO_PASSWORD,
    nickname: 'Demo User',
    phone: '13800000000',
    email: 'demo@example.com',
    role: 'developer',
  });
  // The demo user acts for the demo developer (owner of the demo app).
  await apps.ensureDeveloperOfUser(alice, 'demo');
  const bob = await users.create({ account: 'demo-friend', password: DEMO_PASSWORD, nickname: 'Demo Friend' });
  await friends.add(alice.userId, bob.userId);
  await audit.record({ type: 'demo.seeded', subject: alice.userId, clientId: app.clientId });
  return {
    developer: 'demo',
    clientId: app.clientId,
    clientSecret,
    redirectUri,
    ...(playgroundCallback ? { playgroundCallback } : {}),
    account: alice.account,
    password: DEMO_PASSWORD,
    userId: alice.userId,
  };
}

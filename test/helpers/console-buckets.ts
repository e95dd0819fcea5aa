// A server for the bucket browser's tests: its FDS public URL is the FDS listener itself (the
// console signs URLs for the browser on it and calls it), so the FDS port is chosen before start.
// Developers are made with an app and that app's FDS access key, the key the console acts with.
import type { FdsKey } from '../../src/services/fds/keys.ts';
import { freePort, startTestServer, type TestServer } from './env.ts';
import { Jar, login } from './oauth.ts';

export const DEV_PASSWORD = 'buckets-Test-pass-42';

export async function startBucketServer(): Promise<TestServer> {
  const port = await freePort();
  return startTestServer({ env: { OPAL_FDS_PORT: String(port), OPAL_FDS_PUBLIC_URL: `http://127.0.0.1:${port}` } });
}

/** A developer with one app and its FDS key; signed in on a cookie jar. */
export async function bucketDeveloper(t: TestServer, account: string, phone?: string): Promise<{ jar: Jar; key: FdsKey }> {
  const user = await t.ctx.services.admin.createUser(
    { account, password: DEV_PASSWORD, nickname: account, role: 'developer', ...(phone ? { phone } : {}) },
    { actor: 'test' },
  );
  const dev = await t.ctx.services.admin.developerOf(user);
  const { app } = await t.ctx.services.apps.create({ name: `${account} app`, redirectUris: 'https://x.example/cb', developer: dev?.name });
  const key = await t.ctx.services.fdsKeys.ensure(app.clientId);
  const jar = new Jar(t.accountUrl);
  const r = await login(jar, account, DEV_PASSWORD);
  if (r.status !== 303) throw new Error(`sign-in of ${account}: ${r.status}`);
  return { jar, key };
}

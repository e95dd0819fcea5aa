// Page cookies on an HTTPS account origin (public URL https://…): `__Host-` names, Secure, Path=/,
// no Domain; the Android SDK's injected `serviceToken`/`userId` still sign the user in, but an
// unprefixed pre-session cookie (which any page of the host could plant) is not read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codeRequestQuery, type Fixture, fixture, hidden, Jar, PASSWORD } from '../helpers/oauth.ts';

const PUBLIC = 'https://accounts.example.test';

describe('page cookies on an HTTPS origin', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture({ env: { OPAL_PUBLIC_URL: PUBLIC } });
  });
  after(async () => {
    await f.t.close();
  });

  const authorizeQuery = () => codeRequestQuery(f.clientId);

  function assertHostCookie(setCookies: string[], name: string): void {
    const c = setCookies.find((s) => s.startsWith(`__Host-${name}=`));
    assert.ok(c, `__Host-${name} is set: ${setCookies.join(' | ')}`);
    assert.match(c, /; Path=\/(;|$)/);
    assert.match(c, /; Secure/);
    assert.match(c, /; HttpOnly/);
    assert.match(c, /; SameSite=Lax/);
    assert.doesNotMatch(c, /Domain=/i);
    assert.equal(
      setCookies.some((s) => s.startsWith(`${name}=`)),
      false,
      `no unprefixed ${name}`,
    );
  }

  async function signIn(jar: Jar): Promise<Response> {
    const page = await jar.fetch('/login');
    assertHostCookie(page.headers.getSetCookie(), 'opal_pre');
    const html = await page.text();
    return jar.fetch('/login', {
      method: 'POST',
      headers: { origin: PUBLIC },
      form: { csrf: hidden(html, 'csrf'), account: f.account, password: PASSWORD, return_to: '/login' },
    });
  }

  it('sets __Host- cookies and signs in with them', async () => {
    const jar = new Jar(f.base);
    const r = await signIn(jar);
    assert.equal(r.headers.get('location'), '/login');
    assertHostCookie(r.headers.getSetCookie(), 'serviceToken');
    assertHostCookie(r.headers.getSetCookie(), 'userId');
    assert.equal((await jar.fetch(`/oauth2/authorize?${authorizeQuery()}`)).status, 200);
  });

  it('reads the SDK-injected serviceToken/userId, not an unprefixed pre-session cookie', async () => {
    const jar = new Jar(f.base);
    await signIn(jar);
    const sdk = new Jar(f.base);
    sdk.cookies.set('userId', jar.cookies.get('__Host-userId') ?? '');
    sdk.cookies.set('serviceToken', jar.cookies.get('__Host-serviceToken') ?? '');
    assert.equal((await sdk.fetch(`/oauth2/authorize?${authorizeQuery()}`)).status, 200, 'quietOAuth cookies still work');

    const anon = new Jar(f.base);
    const html = await (await anon.fetch('/login')).text();
    const planted = new Jar(f.base);
    planted.cookies.set('opal_pre', anon.cookies.get('__Host-opal_pre') ?? '');
    const r = await planted.fetch('/login', {
      method: 'POST',
      headers: { origin: PUBLIC },
      form: { csrf: hidden(html, 'csrf'), account: f.account, password: PASSWORD },
    });
    assert.match(r.headers.get('location') ?? '', /error=csrf/);
  });

  it('sign-out clears the cookies', async () => {
    const jar = new Jar(f.base);
    await signIn(jar);
    const page = await (await jar.fetch('/logout')).text();
    const r = await jar.fetch('/logout', { method: 'POST', headers: { origin: PUBLIC }, form: { csrf: hidden(page, 'csrf') } });
    assert.equal(r.status, 303);
    assert.equal(jar.cookies.has('__Host-serviceToken'), false);
    assert.equal(jar.cookies.has('__Host-userId'), false);
    assert.equal((await jar.fetch(`/oauth2/authorize?${authorizeQuery()}`)).status, 302, 'signed out');
  });
});

// The JS SDK's getPresignedUrl flow in real Chromium (issue 16, fds-protocol §5.13, §3). The
// official JS SDK (XiaoMi/galaxy-fds-sdk-javascript, not on npm) runs in a web page of the app's own
// origin and talks to FDS with XMLHttpRequest: `Authorization: SSO` set in `beforeSend` and
// `appId=…&serviceToken=…&sid=galaxy-fds` appended to every URI (its SSOCredential). The page
// below sends those same requests from another origin, so the browser's CORS rules apply: the
// preflight for the Authorization header, the URL it gets back read by a second request, and a
// refusal the page can read (status and FDS error), not a network error.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { browserSkip, launchBrowser, type TestBrowser } from '../../helpers/browser.ts';
import { type FdsFixture, ssoWritableBucket, startFds } from '../../helpers/fds-fixture.ts';

const B = 'js-browser';
const APP_ID = '2882303761517436430';

/** The app's page: the SDK's request shapes in plain XMLHttpRequest (the SDK uses jQuery.ajax). */
const PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>app</title><script>
function sdkGet(uri, withSso) {
  return new Promise(function (resolve) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', uri);
    if (withSso) xhr.setRequestHeader('Authorization', 'SSO');
    xhr.onloadend = function () { resolve({ status: xhr.status, text: xhr.responseText }); };
    xhr.send();
  });
}
window.getPresignedUrl = function (base, bucket, object, credential) {
  var uri = base + '/' + bucket + '/' + object + '?presignedUrl' + '&subResources=' +
    '&expiration=' + (Date.now() + 3600000) + '&httpMethod=GET&enableCdn=false&enableHttps=false' +
    '&signAlgorithm=HmacSHA1' + '&appId=' + credential.appId + '&serviceToken=' + credential.serviceToken + '&sid=galaxy-fds';
  return sdkGet(uri, true);
};
window.download = function (url) { return sdkGet(url, false); };
</script></html>`;

describe('the JS SDK presign flow in Chromium, from the app origin', { skip: browserSkip }, () => {
  let f: FdsFixture;
  let b: TestBrowser;
  let app: Server;
  let appUrl: string;
  let token: string;

  before(async () => {
    f = await startFds();
    token = await ssoWritableBucket(f, B, 'jsbrowser', 'JB');
    const put = await fetch(`${f.t.fdsUrl}/${B}/photo.txt?serviceToken=${token}`, {
      method: 'PUT',
      headers: { authorization: 'SSO' },
      body: 'bytes of the user',
    });
    assert.equal(put.status, 200);
    await f.owner.ok('PUT', `/${B}/owner-only.txt`, { body: 'owner secret' });
    app = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    b = await launchBrowser();
  });
  after(async () => {
    await b?.close();
    await new Promise((resolve) => app?.close(resolve));
    await f?.close();
  });

  it('the URL the page gets reads the bytes; an object the user may not read is refused with a readable 403', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    assert.notEqual(new URL(appUrl).origin, new URL(f.t.fdsUrl).origin);
    const credential = { appId: APP_ID, serviceToken: token };
    const publicBase = f.t.ctx.config.fdsPublicUrl;
    const got = await page.evaluate(
      async ({ base, bucket, credential, publicBase }) => {
        const w = globalThis as unknown as {
          getPresignedUrl(base: string, b: string, o: string, c: unknown): Promise<{ status: number; text: string }>;
          download(url: string): Promise<{ status: number; text: string }>;
        };
        const presigned = await w.getPresignedUrl(base, bucket, 'photo.txt', credential);
        // The URL is on the configured public base; this test's listener has a port of its own.
        const url = presigned.text.startsWith(publicBase) ? base + presigned.text.slice(publicBase.length) : presigned.text;
        const download = await w.download(url);
        const refused = await w.getPresignedUrl(base, bucket, 'owner-only.txt', credential);
        return { presigned, download, refused };
      },
      { base: f.t.fdsUrl, bucket: B, credential, publicBase },
    );
    assert.equal(got.presigned.status, 200, got.presigned.text);
    assert.match(got.presigned.text, /[?&]GalaxyAccessKeyId=OPAL-SERVER\.[0-9a-z]+&Expires=\d+&Signature=/);
    assert.equal(got.download.status, 200);
    assert.equal(got.download.text, 'bytes of the user');
    assert.equal(got.refused.status, 403);
    assert.match(got.refused.text, /Object Access Denied/);
    assert.doesNotMatch(got.refused.text, /owner secret|Signature/);
    await page.close();
  });
});

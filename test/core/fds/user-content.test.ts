// The browser-safety rule of object answers (src/core/fds/user-content.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAttachment, isActiveType, mediaType, SANDBOX, userContentHeaders, WEBSITE_SANDBOX } from '../../../src/core/fds/user-content.ts';

describe('user content headers', () => {
  it('recognises active types whatever their case and parameters', () => {
    for (const t of [
      'text/html',
      ' Text/HTML ; charset=utf-8',
      'image/svg+xml',
      'application/rss+xml',
      'application/javascript',
      'text/xsl',
      ';x=1',
    ]) {
      assert.equal(isActiveType(t), true, t);
    }
    for (const t of ['text/plain', 'image/png', 'application/json', 'application/octet-stream', 'video/mp4', 'text/css']) {
      assert.equal(isActiveType(t), false, t);
    }
    assert.equal(mediaType('Text/Html; charset=x'), 'text/html');
  });

  it('turns any disposition into an attachment keeping its parameters', () => {
    assert.equal(asAttachment(undefined), 'attachment');
    assert.equal(asAttachment('inline'), 'attachment');
    assert.equal(asAttachment('inline; filename="a.html"'), 'attachment; filename="a.html"');
    assert.equal(asAttachment('attachment; filename=b'), 'attachment; filename=b');
  });

  it('sandboxes everything; attachment for active types unless asked for or a website bucket', () => {
    const base = { contentType: 'text/html', disposition: undefined, dispositionAsked: false, website: false };
    assert.deepEqual(userContentHeaders(base), {
      'Content-Security-Policy': SANDBOX,
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': 'attachment',
    });
    assert.equal(userContentHeaders({ ...base, disposition: 'inline', dispositionAsked: true })['Content-Disposition'], 'inline');
    const site = userContentHeaders({ ...base, website: true });
    assert.equal(site['Content-Disposition'], undefined);
    assert.equal(site['Content-Security-Policy'], WEBSITE_SANDBOX);
    const png = userContentHeaders({ ...base, contentType: 'image/png', disposition: 'inline' });
    assert.equal(png['Content-Disposition'], 'inline');
    assert.equal(png['Content-Security-Policy'], SANDBOX);
  });
});

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

describe('user content headers, rule by rule', () => {
  it('every listed active type is active (not only the `+xml` ones the suffix rule would catch)', () => {
    for (const t of [
      'text/html',
      'text/xml',
      'application/xml',
      'text/xsl',
      'text/javascript',
      'application/javascript',
      'application/x-javascript',
      'text/ecmascript',
      'application/ecmascript',
      'text/jscript',
      'application/wasm',
      'multipart/x-mixed-replace',
      'text/rdf',
      'application/xhtml+xml',
      'image/svg+xml',
      'application/xslt+xml',
      'application/mathml+xml',
      'application/rdf+xml',
    ]) {
      assert.equal(isActiveType(t), true, t);
      assert.equal(isActiveType(`${t.toUpperCase()}; charset=utf-8`), true, t);
    }
    // A missing or empty type is active (a browser sniffs it); `+xml` only as a suffix.
    for (const t of ['', ' ', ';', ' ; charset=utf-8']) assert.equal(isActiveType(t), true, JSON.stringify(t));
    for (const t of ['text/html-x', 'x-text/html', '+xml/plain', 'application/xml2', 'text/plain;text/html']) {
      assert.equal(isActiveType(t), false, t);
    }
  });

  it('the media type is the part before the first `;`, trimmed and lower-cased', () => {
    assert.equal(mediaType(' Image/PNG '), 'image/png');
    assert.equal(mediaType('a/b;c;d'), 'a/b');
    assert.equal(mediaType(''), '');
    assert.equal(mediaType(';'), '');
  });

  it('attachment keeps everything from the first `;` of the stored disposition', () => {
    assert.equal(asAttachment(';filename=a'), 'attachment;filename=a');
    assert.equal(asAttachment('inline;a=1;b=2'), 'attachment;a=1;b=2');
    assert.equal(asAttachment(''), 'attachment');
    assert.equal(asAttachment('attachment'), 'attachment');
  });

  it('the exact headers of each case', () => {
    const base = { contentType: 'text/html', disposition: undefined, dispositionAsked: false, website: false };
    const sandbox = { 'Content-Security-Policy': 'sandbox', 'X-Content-Type-Options': 'nosniff' };
    const site = {
      'Content-Security-Policy': 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads',
      'X-Content-Type-Options': 'nosniff',
    };
    // Active, stored disposition: forced to attachment with its parameters.
    assert.deepEqual(userContentHeaders({ ...base, disposition: 'inline; filename="a.html"' }), {
      ...sandbox,
      'Content-Disposition': 'attachment; filename="a.html"',
    });
    // Active, asked for: kept as asked; asked for without one: none.
    assert.deepEqual(userContentHeaders({ ...base, disposition: 'inline; filename=x', dispositionAsked: true }), {
      ...sandbox,
      'Content-Disposition': 'inline; filename=x',
    });
    assert.deepEqual(userContentHeaders({ ...base, dispositionAsked: true }), sandbox);
    // Website bucket: shown as stored, or no disposition at all; the looser sandbox.
    assert.deepEqual(userContentHeaders({ ...base, website: true }), site);
    assert.deepEqual(userContentHeaders({ ...base, website: true, disposition: 'inline' }), { ...site, 'Content-Disposition': 'inline' });
    assert.deepEqual(userContentHeaders({ ...base, website: true, dispositionAsked: true, disposition: 'x' }), {
      ...site,
      'Content-Disposition': 'x',
    });
    // Passive types: the stored disposition as it is, or none.
    assert.deepEqual(userContentHeaders({ ...base, contentType: 'image/png' }), sandbox);
    assert.deepEqual(userContentHeaders({ ...base, contentType: 'image/png', disposition: 'inline; filename=a.png' }), {
      ...sandbox,
      'Content-Disposition': 'inline; filename=a.png',
    });
    assert.deepEqual(userContentHeaders({ ...base, contentType: 'image/png', website: true }), site);
  });
});

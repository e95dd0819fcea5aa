// How an object's bytes are served to browsers (issue 11, findings 1 and 6). The FDS origin holds
// content anyone with a key (or, on a public bucket, anyone) uploaded, and it shares its host with
// the account origin, so a page served from it must never run as a page of that host:
// - every object GET/HEAD carries `Content-Security-Policy: sandbox` (an opaque origin: no cookies,
//   no same-origin access, no script, no forms) and `X-Content-Type-Options: nosniff`;
// - active types (HTML, XHTML, SVG, XML, XSL, JavaScript…) are sent `Content-Disposition:
//   attachment`, so that a browser downloads them instead of showing them. The stored disposition's
//   parameters (filename) are kept; a disposition the client asked for in a signed request
//   (`response-content-disposition`) is kept as asked;
// - a bucket with a `website` configuration (set by its owner, `PUT /{b}?website=`) opts in to
//   showing active content: no forced attachment, and the sandbox lets scripts, forms and popups
//   run — still in an opaque origin, so they cannot read or plant the host's cookies, and their
//   requests carry `Origin: null`, which the account origin refuses.
// The SDKs read none of these headers (fds-protocol §3 lists what they read).

export const SANDBOX = 'sandbox';
export const WEBSITE_SANDBOX = 'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads';

/** Active types besides those ending in `+xml` (XHTML, SVG, XSLT, MathML, RDF…), which isActiveType's suffix rule covers. */
const ACTIVE_TYPES = new Set([
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
]);

/** The media type of a Content-Type value, lower-case, without parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether a browser would run or render a document of this type as active content. */
export function isActiveType(contentType: string): boolean {
  const t = mediaType(contentType);
  return ACTIVE_TYPES.has(t) || t.endsWith('+xml') || t === '';
}

/** `attachment` with the parameters (filename…) of `stored`, whatever its disposition type. */
export function asAttachment(stored: string | undefined): string {
  const semi = stored?.indexOf(';') ?? -1;
  return stored && semi >= 0 ? `attachment${stored.slice(semi)}` : 'attachment';
}

export interface UserContentInput {
  /** The Content-Type the answer carries (after any honoured override). */
  contentType: string;
  /** The Content-Disposition the answer would carry (stored, or asked for). */
  disposition: string | undefined;
  /** True when `disposition` is what a signed request asked for (`response-content-disposition`). */
  dispositionAsked: boolean;
  /** The bucket opted in to showing active content (it has a website configuration). */
  website: boolean;
}

/** The headers an object answer carries for browsers (the Content-Disposition only when set). */
export function userContentHeaders(i: UserContentInput): Record<string, string> {
  const h: Record<string, string> = {
    'Content-Security-Policy': i.website ? WEBSITE_SANDBOX : SANDBOX,
    'X-Content-Type-Options': 'nosniff',
  };
  if (!i.website && !i.dispositionAsked && isActiveType(i.contentType)) h['Content-Disposition'] = asAttachment(i.disposition);
  else if (i.disposition !== undefined) h['Content-Disposition'] = i.disposition;
  return h;
}

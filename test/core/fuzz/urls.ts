// URL-shaped arbitraries for the redirect and callback fuzzers: schemes, userinfo, hosts (the
// registered ones, their subdomains and look-alikes, IPv4/IPv6 literals, IDN, trailing dots,
// percent-encoded and upper-case hosts), ports, and attack-shaped paths, queries and fragments.
import fc from 'fast-check';
import { attackString, near, pctByte } from './fuzz-kit.ts';

export const REGISTERED_HOSTS = ['app.example.com', 'abc.com', '127.0.0.1', '[::1]', 'third_url.com', 'localhost'];

export const SCHEME = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('https://', 'http://') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'HTTPS://',
      'Http://',
      'myapp://',
      'javascript://',
      'data:',
      'file://',
      '//',
      'https:/',
      'https:\\\\',
      '',
      'ftp://',
      ' https://',
    ),
  },
);

const SUBDOMAIN = fc.constantFrom('a.', 'www.', 'evil.', 'a.b.', 'x-y.', '.', '..', 'xn--80a.');
export const HOST = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...REGISTERED_HOSTS) },
  { weight: 3, arbitrary: fc.tuple(SUBDOMAIN, fc.constantFrom(...REGISTERED_HOSTS)).map(([s, h]) => s + h) },
  { weight: 2, arbitrary: near(REGISTERED_HOSTS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'evil.com',
      'app.example.com.evil.com',
      'evilapp.example.com',
      'APP.EXAMPLE.COM',
      'app.example.com.',
      'app%2eexample.com',
      'app.example%2ecom',
      '\u0430pp.example.com',
      'app\u3002example.com',
      'app\uff0eexample.com',
      '0x7f.0.0.1',
      '2130706433',
      '127.1',
      '[::ffff:127.0.0.1]',
      '[0:0:0:0:0:0:0:1]',
      '[::1%25eth0]',
      '[v1.x]',
      '',
      '*.app.example.com',
    ),
  },
  { weight: 1, arbitrary: fc.domain() },
  { weight: 1, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6().map((h) => `[${h}]`) },
  { weight: 1, arbitrary: attackString(12, 300) },
);

export const USERINFO = fc.oneof(
  { weight: 8, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('user@', 'user:pw@', 'app.example.com@', ':@', '@', 'a%40b@', 'evil.com\\@') },
);

export const PORT = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(':443', ':80', ':3000', ':8443', ':', ':0443', ':00080', ':65535', ':65536', ':99999', ':-1', ':1e3'),
  },
  { weight: 1, arbitrary: fc.nat(70000).map((p) => `:${p}`) },
);

const PATH_PIECE = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('/cb', '/oauth', '/xm', '/', '/cb/', '/callback', '/xm/cb') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/..',
      '/.',
      '/%2e%2e',
      '/%2E',
      '/%2f',
      '//',
      '/%00',
      '/%25',
      '\\',
      '/%5c',
      '/@evil.com',
      '/a b',
      '/\r\n',
      '/%0d%0a',
    ),
  },
  { weight: 2, arbitrary: attackString(10, 2500).map((s) => `/${s}`) },
  { weight: 1, arbitrary: pctByte.map((b) => `/${b}`) },
);
export const PATH = fc.array(PATH_PIECE, { maxLength: 4 }).map((p) => p.join(''));

export const QUERY = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom('?x=1', '?', '?https://app.example.com/cb', '?a=1&b=2', '?@evil.com') },
  { weight: 2, arbitrary: attackString(20).map((s) => `?${s}`) },
);

export const FRAGMENT = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('#', '#x', '#@evil.com', '#https://app.example.com/cb') },
  { weight: 1, arbitrary: attackString(12).map((s) => `#${s}`) },
);

/** Hostile URL-ish strings: every part drawn from the attack shapes. */
const HOSTILE = fc.tuple(SCHEME, USERINFO, HOST, PORT, PATH, QUERY, FRAGMENT).map((parts) => parts.join(''));

/** URLs an app would plausibly send: registered hosts or their subdomains, the right ports. */
export const PLAUSIBLE = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'myapp://'),
    fc.constantFrom('', '', '', 'a.', 'www.', 'a.b.'),
    fc.constantFrom(...REGISTERED_HOSTS),
    fc.constantFrom('', '', '', ':3000', ':8080', ':443', ':80'),
    fc.constantFrom('/cb', '/oauth', '/xm', '/', '/cb/x', '/callback', '/xm/cb', '/oauth/a', ''),
    fc.constantFrom('', '', '?x=1', '?keep=1&y=2', '?state=a%20b'),
    fc.constantFrom('', '', '#top'),
  )
  .map((parts) => parts.join(''));

/** A plausible URL with one attack-shaped piece inserted or substituted somewhere. */
const MUTATED = fc.tuple(PLAUSIBLE, fc.nat(), attackString(3), fc.boolean()).map(([u, i, piece, replace]) => {
  const at = i % (u.length + 1);
  return u.slice(0, at) + piece + u.slice(replace ? at + 1 : at);
});

/** Whole URL-ish strings: plausible, plausible with one hostile edit, or hostile throughout. */
export const URLISH = fc.oneof({ weight: 3, arbitrary: PLAUSIBLE }, { weight: 3, arbitrary: MUTATED }, { weight: 2, arbitrary: HOSTILE });

/** Registrations as apps store them: 1-3 entries joined with `;` (sometimes with spaces). */
export const REGISTERED = fc.oneof(
  fc.constantFrom(
    'https://app.example.com/cb',
    'https://app.example.com/cb;http://127.0.0.1:3000/callback;myapp://auth/cb',
    'https://abc.com/oauth;https://abc.com/',
    'http://third_url.com/',
    'http://[::1]:8080/cb',
    'http://localhost/',
    'https://app.example.com/cb?x=1',
  ),
  fc.tuple(fc.array(PLAUSIBLE, { minLength: 1, maxLength: 3 }), fc.constantFrom(';', ' ; ')).map(([e, sep]) => e.join(sep)),
  fc.tuple(fc.array(URLISH, { minLength: 1, maxLength: 3 }), fc.constantFrom(';', ' ; ')).map(([e, sep]) => e.join(sep)),
);

const EDIT = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('sub:a.', 'sub:www.', 'sub:a.b.', 'sub:evil', 'sub:.', 'sub:x@') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'end:/x',
      'end:x',
      'end:/',
      'end:?a=1',
      'end:#f',
      'end:?code=1&state=2',
      'end:/../evil',
      'end:/%2e%2e/x',
      'end:.evil.com',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom('port::443', 'port::80', 'port::8443', 'port::3000', 'port::', 'port::0443', 'upper:') },
  { weight: 3, arbitrary: attackString(3).map((p) => `ins:${p}`) },
);

/** Applies `edits` to `url`; `at` picks where an inserted piece goes. */
function edit(url: string, edits: readonly string[], at: number): string {
  let u = url;
  for (const e of edits) {
    const colon = e.indexOf(':');
    const op = e.slice(0, colon);
    const arg = e.slice(colon + 1);
    const hostAt = u.indexOf('://') + 3;
    const hostEnd = hostAt + (/^[^/?#]*/.exec(u.slice(hostAt))?.[0].length ?? 0);
    if (op === 'sub' && hostAt > 2) u = u.slice(0, hostAt) + arg + u.slice(hostAt);
    else if (op === 'end') u += arg;
    else if (op === 'port' && hostAt > 2) u = u.slice(0, hostEnd).replace(/:\d*$/, '') + arg + u.slice(hostEnd);
    else if (op === 'upper') u = u.toUpperCase();
    else if (op === 'ins') {
      const i = at % (u.length + 1);
      u = u.slice(0, i) + arg + u.slice(i);
    }
  }
  return u;
}

/** A registration and a URI derived from one of its entries by 0-3 edits (so many match). */
export const REGISTERED_AND_REQUESTED = fc
  .tuple(REGISTERED, fc.nat(), fc.array(EDIT, { maxLength: 3 }), fc.nat())
  .map(([registered, pick, edits, at]) => {
    const entries = registered
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    return { registered, requested: edit(entries[pick % Math.max(1, entries.length)] ?? '', edits, at) };
  });

/** Derived pairs (often matching) and independent pairs (hostile strings against any registration). */
export const PAIRS = fc.oneof(
  { weight: 3, arbitrary: REGISTERED_AND_REQUESTED },
  { weight: 1, arbitrary: fc.record({ requested: fc.oneof(URLISH, attackString(60)), registered: REGISTERED }) },
);

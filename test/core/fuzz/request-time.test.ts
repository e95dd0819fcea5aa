// Fuzzing request times (fds-protocol §2.2.5): never an exception and only finite instants;
// every format a client sends (RFC 1123, RFC 850, asctime, `UTC`, numeric offsets, Go's local
// `CST` as China Standard Time) parses back to the instant it was made from; the skew check agrees
// with the distance; parsing stays fast on 16 KB headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { requestTimes, withinSkew } from '../../../src/core/fds/request-time.ts';
import { attackString, fastOnLongHeaders, fuzz, headerString } from './fuzz-kit.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** `t` (whole seconds) written as a client would, shifted to `offsetMin` where the format carries one. */
function format(t: number, style: number, offsetMin: number): string {
  const d = new Date(t + offsetMin * 60_000);
  const [Y, M, D, h, m, s] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  const u = new Date(t);
  const time = `${p2(h)}:${p2(m)}:${p2(s)}`;
  const sign = offsetMin < 0 ? '-' : '+';
  const off = `${sign}${p2(Math.floor(Math.abs(offsetMin) / 60))}${p2(Math.abs(offsetMin) % 60)}`;
  switch (style) {
    case 0:
      return u.toUTCString();
    case 1:
      return u.toUTCString().replace(/GMT$/, 'UTC');
    case 2: // RFC 850
      return `${DAYS[u.getUTCDay()]}, ${p2(u.getUTCDate())}-${MONTHS[u.getUTCMonth()]}-${p2(u.getUTCFullYear() % 100)} ${u.toUTCString().slice(17, 25)} GMT`;
    case 3: // asctime
      return `${u.toUTCString().slice(0, 3)} ${MONTHS[u.getUTCMonth()]} ${String(u.getUTCDate()).padStart(2, ' ')} ${u.toUTCString().slice(17, 25)} ${u.getUTCFullYear()}`;
    case 4: // numeric offset
      return `${DAYS[d.getUTCDay()]?.slice(0, 3)}, ${p2(D)} ${MONTHS[M]} ${Y} ${time} ${off}`;
    default: // Go's local zone name in China
      return `${DAYS[new Date(t + 480 * 60_000).getUTCDay()]?.slice(0, 3)}, ${new Date(t + 480 * 60_000).toUTCString().slice(5, 25)} CST`;
  }
}

// 1970-2049 (RFC 850's two-digit years read as 19xx from 50 up).
const INSTANT = fc.integer({ min: 0, max: 2_524_607_999 }).map((s) => s * 1000);

describe('fuzz: request times', () => {
  it('never throws; only finite instants', (t) => {
    fuzz(
      t,
      fc.property(
        fc.oneof(
          headerString(60),
          attackString(40),
          INSTANT.map((i) => new Date(i).toUTCString().replace(/ /g, '  ')),
        ),
        fc.integer(),
        (s, now) => {
          const times = requestTimes(s);
          assert.ok(times.every(Number.isFinite));
          assert.equal(typeof withinSkew(s, now, 900_000), 'boolean');
        },
      ),
    );
  });

  it('every client format parses back to its instant; the skew check agrees with the distance', (t) => {
    fuzz(
      t,
      fc.property(
        INSTANT,
        fc.nat(5),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        fc.integer({ min: -3_600_000, max: 3_600_000 }),
        (instant, style, offset, skew) => {
          const s = format(instant, style, offset);
          assert.ok(requestTimes(s).includes(instant), `${s} → ${requestTimes(s)} (want ${instant})`);
          if (style <= 3) assert.equal(withinSkew(s, instant + skew, 900_000), Math.abs(skew) <= 900_000, s);
        },
      ),
    );
  });

  it('stays fast on 16 KB headers', (t) => {
    fastOnLongHeaders(
      t,
      requestTimes,
      ['', 'Tue, 18 Feb 2020 ', 'Tue Feb 18 05:05:51 2020', '18 Feb 2020 05:05:51'],
      [' ', '0', '1 ', ':', 'GMT ', '-', 'a'],
      ['', ' GMT', ' UTC', ' CST', 'x'],
    );
  });
});

// Request times (fds-protocol §2.2.5): asctime is GMT by definition whatever the server's zone, so
// these run with the process in a zone west of GMT (Date.parse reads a zoneless date as local time);
// Go's CST is read both as China Standard Time and as US Central; the skew bound is inclusive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requestTimes, withinSkew } from '../../../src/core/fds/request-time.ts';

const t = Date.UTC(1994, 10, 6, 8, 49, 37);
const t16 = Date.UTC(1994, 10, 16, 8, 49, 37);

describe('request time (§2.2.5) on a server outside GMT', () => {
  const saved = process.env.TZ;
  before(() => {
    process.env.TZ = 'America/New_York';
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('the zone really is not GMT here (a zoneless date is local time)', () => {
    assert.equal(Date.parse('Nov 6 1994 08:49:37'), t + 5 * 3600_000);
  });
  it('reads asctime as GMT: one- and two-digit days, surrounding whitespace', () => {
    assert.deepEqual(requestTimes('Sun Nov  6 08:49:37 1994'), [t]);
    assert.deepEqual(requestTimes('Wed Nov 16 08:49:37 1994'), [t16]);
    assert.deepEqual(requestTimes('  Sun Nov  6 08:49:37 1994\t'), [t]);
  });
  it('reads RFC 1123 with GMT, UTC (any case) and offsets', () => {
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 08:49:37 GMT'), [t]);
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 08:49:37 utc'), [t]);
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 03:49:37 -0500'), [t]);
  });
  it('reads CST as US Central, then as China Standard Time', () => {
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 16:49:37 CST'), [t + 14 * 3600_000, t]);
  });
  it('gives nothing for an unparseable date, with or without CST', () => {
    assert.deepEqual(requestTimes(''), []);
    assert.deepEqual(requestTimes('yesterday-ish'), []);
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 99:49:37 CST'), []);
  });
  it('withinSkew: some reading within skewMs of now, the bound included', () => {
    assert.equal(withinSkew('Sun, 06 Nov 1994 08:49:37 GMT', t + 900_000, 900_000), true);
    assert.equal(withinSkew('Sun, 06 Nov 1994 08:49:37 GMT', t - 900_000, 900_000), true);
    assert.equal(withinSkew('Sun, 06 Nov 1994 08:49:37 GMT', t + 900_001, 900_000), false);
    assert.equal(withinSkew('Sun, 06 Nov 1994 16:49:37 CST', t, 0), true);
    assert.equal(withinSkew('garbage', t, Number.POSITIVE_INFINITY), false);
  });
  it('takes only a whole asctime line for GMT: a trailing offset or a leading word leaves it to Date.parse', () => {
    // 08:49:37 -0500 is 13:49:37 GMT; a zoneless date with a word before it is New York time.
    assert.deepEqual(requestTimes('Sun Nov  6 08:49:37 1994 -0500'), [t + 5 * 3600_000]);
    assert.deepEqual(requestTimes('xSun Nov  6 08:49:37 1994'), [t + 5 * 3600_000]);
  });
  it('reads CST as China Standard Time only as the last word, replacing that one', () => {
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 16:49:37 CST (x)'), [t + 14 * 3600_000]);
    assert.deepEqual(requestTimes('Sun, 06 Nov 1994 16:49:37 CST CST'), [t + 14 * 3600_000, t]);
  });
});

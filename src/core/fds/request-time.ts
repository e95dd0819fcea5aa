// Request times of Galaxy-V2 requests (fds-protocol §2.2.5): RFC 1123, RFC 850 and asctime (GMT by
// definition, whatever the server's zone), `UTC`, numeric offsets. Go sends its local zone name;
// `CST` is China Standard Time there (+08:00) but US Central to Date.parse, so both are tried.

const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} +\d{1,2} \d\d:\d\d:\d\d \d{4}$/;

/** Every instant the date string may denote (empty when unparseable). */
export function requestTimes(raw: string): number[] {
  let s = raw.trim();
  if (ASCTIME.test(s)) s += ' GMT';
  s = s.replace(/\bUTC$/i, 'GMT');
  const out: number[] = [];
  const t = Date.parse(s);
  if (Number.isFinite(t)) out.push(t);
  if (/\bCST$/.test(s)) {
    const china = Date.parse(s.replace(/CST$/, '+0800'));
    if (Number.isFinite(china)) out.push(china);
  }
  return out;
}

/** Whether the date is within `skewMs` of `now` under some reading of it. */
export function withinSkew(raw: string, now: number, skewMs: number): boolean {
  return requestTimes(raw).some((t) => Math.abs(now - t) <= skewMs);
}

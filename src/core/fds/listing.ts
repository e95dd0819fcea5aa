// Object listing (fds-protocol §5.9): prefix, delimiter roll-up into common prefixes, inclusive
// `<bucket>/<name>` markers, pages of at most 1000 entries (objects and prefixes count together),
// and the response's maxKeys reporting the server cap (see the §5.9 maxKeys caveat).

export const LIST_CAP = 1000;

export interface ListRequest {
  prefix: string;
  delimiter: string;
  /** Marker as sent (`<bucket>/<start>` or `<start>`); inclusive. */
  marker: string;
  /** Requested maxKeys (undefined/invalid → cap). */
  maxKeys: number | undefined;
}

export interface ListPlan {
  prefix: string;
  delimiter: string;
  /** First name to consider (inclusive). */
  start: string;
  /** Exclusive upper bound for names with the prefix, or undefined (no prefix). */
  end: string | undefined;
  pageSize: number;
}

/** The string just above every string that starts with `s` (its last code unit incremented). */
export function successor(s: string): string {
  if (s === '') return '';
  const last = s.charCodeAt(s.length - 1);
  return s.slice(0, -1) + String.fromCharCode(last + 1);
}

export function parseMaxKeys(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,9}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

export function planListing(bucket: string, r: ListRequest): ListPlan {
  let marker = r.marker;
  if (marker.startsWith(`${bucket}/`)) marker = marker.slice(bucket.length + 1);
  return {
    prefix: r.prefix,
    delimiter: r.delimiter,
    start: marker > r.prefix ? marker : r.prefix,
    end: r.prefix === '' ? undefined : successor(r.prefix),
    pageSize: Math.min(r.maxKeys ?? LIST_CAP, LIST_CAP),
  };
}

export type AddResult = { kind: 'next' } | { kind: 'skip'; from: string } | { kind: 'full' };

/** Consumes names in ascending order and builds one page. */
export class ListingBuilder<T> {
  readonly objects: T[] = [];
  readonly commonPrefixes: string[] = [];
  truncated = false;
  /** First name not returned, or undefined. */
  nextName: string | undefined;
  private count = 0;
  private lastPrefix: string | undefined;

  constructor(private readonly plan: ListPlan) {}

  add(name: string, entry: T): AddResult {
    const { prefix, delimiter } = this.plan;
    let rolled: string | undefined;
    if (delimiter !== '') {
      const idx = name.indexOf(delimiter, prefix.length);
      if (idx >= 0) rolled = name.slice(0, idx + delimiter.length);
    }
    if (rolled !== undefined && rolled === this.lastPrefix) return { kind: 'skip', from: successor(rolled) };
    if (this.count >= this.plan.pageSize) {
      this.truncated = true;
      this.nextName = name;
      return { kind: 'full' };
    }
    this.count++;
    if (rolled !== undefined) {
      this.commonPrefixes.push(rolled);
      this.lastPrefix = rolled;
      return { kind: 'skip', from: successor(rolled) };
    }
    this.objects.push(entry);
    return { kind: 'next' };
  }
}

export interface ListObjectsResult<T> {
  name: string;
  prefix: string;
  delimiter: string;
  marker: string;
  nextMarker: string | null;
  maxKeys: number;
  truncated: boolean;
  reverse: boolean;
  withMetaData: boolean;
  objects: T[];
  commonPrefixes: string[];
}

export function listingResult<T>(bucket: string, r: ListRequest, b: ListingBuilder<T>, withMetaData: boolean): ListObjectsResult<T> {
  return {
    name: bucket,
    prefix: r.prefix,
    delimiter: r.delimiter,
    marker: r.marker,
    nextMarker: b.nextName === undefined ? null : `${bucket}/${b.nextName}`,
    maxKeys: LIST_CAP,
    truncated: b.truncated,
    reverse: false,
    withMetaData,
    objects: b.objects,
    commonPrefixes: b.commonPrefixes,
  };
}

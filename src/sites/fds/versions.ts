// Java's version listing `GET /{b}?versions&prefix=&delimiter=[&keyMarker=&versionIdMarker=&maxKeys=]`
// (fds-protocol §8.3, CORE result/VersionListing): every version of every name, names ascending
// and newest version first; markers are exclusive (the last entry of the previous page).
import type { Static } from '@sinclair/typebox/type';
import { FdsError } from '../../core/fds/errors.ts';
import { LIST_CAP, parseMaxKeys, successor } from '../../core/fds/listing.ts';
import { VersionListing } from '../../core/fds/responses.ts';
import { checkListBucket, requireBucket } from './access.ts';
import type { FdsCall } from './call.ts';
import { sendJson } from './replies.ts';

export async function listVersions(c: FdsCall): Promise<void> {
  const b = await requireBucket(c);
  checkListBucket(c, b);
  const prefix = c.params.get('prefix') ?? '';
  const delimiter = c.params.get('delimiter') ?? '';
  const keyMarker = c.params.get('keyMarker') ?? '';
  const versionIdMarker = c.params.get('versionIdMarker') || undefined;
  if (versionIdMarker !== undefined && keyMarker === '') throw new FdsError('InvalidRequest', 'versionIdMarker needs keyMarker');
  const pageSize = Math.min(parseMaxKeys(c.params.get('maxKeys')) ?? LIST_CAP, LIST_CAP);
  const end = prefix === '' ? undefined : successor(prefix);
  const summaries: Static<typeof VersionListing>['versionSummaries'] = [];
  const commonPrefixes: string[] = [];
  let cursor: { name: string; version?: string | undefined; inclusive?: boolean } =
    keyMarker > prefix ? { name: keyMarker, version: versionIdMarker } : { name: prefix, inclusive: true };
  let next: { key: string; version: string | null } | undefined;
  let truncated = false;
  outer: for (;;) {
    const rows = await c.env.objects.listVersions(b.name, cursor, end, 500);
    for (const o of rows) {
      let rolled: string | undefined;
      if (delimiter !== '') {
        const idx = o.name.indexOf(delimiter, prefix.length);
        if (idx >= 0) rolled = o.name.slice(0, idx + delimiter.length);
      }
      if (summaries.length + commonPrefixes.length >= pageSize) {
        truncated = true;
        break outer;
      }
      if (rolled !== undefined) {
        commonPrefixes.push(rolled);
        cursor = { name: successor(rolled), inclusive: true };
        next = { key: `${rolled}\uffff`, version: null };
        continue outer;
      }
      summaries.push({
        bucketName: b.name,
        objectName: o.name,
        versionId: o.version_id,
        latest: o.is_current === 1,
        lastModified: new Date(o.created_at).toISOString(),
        owner: { id: o.owner_id, displayName: o.owner_id },
        size: o.size,
        deleteMarker: false,
      });
      cursor = { name: o.name, version: o.version_id };
      next = { key: o.name, version: o.version_id };
    }
    if (rows.length < 500) break;
  }
  sendJson(c, VersionListing, {
    versionSummaries: summaries,
    commonPrefixes,
    bucketName: b.name,
    nextKeyMarker: truncated ? (next?.key ?? null) : null,
    nextVersionIdMarker: truncated ? (next?.version ?? null) : null,
    truncated,
    prefix,
    keyMarker,
    versionIdMarker: versionIdMarker ?? null,
    maxKeys: LIST_CAP,
    delimiter,
  });
}

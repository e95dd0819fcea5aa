// The FDS ACL model (fds-protocol §7) and identity matching (§2.6). A stored ACL maps
// "id:TYPE" to a permission bit mask; setting ORs bits in (merge), deleting clears them, and the
// grant list a client reads has one FULL_CONTROL entry for 0xff, else one entry per set bit.
import { Type } from '@sinclair/typebox/type';
import { FdsError } from './errors.ts';
import { bodyShape, checked } from './json-input.ts';

export const PERMISSIONS = { READ: 0x01, WRITE: 0x02, READ_OBJECTS: 0x04, SSO_WRITE: 0x08, FULL_CONTROL: 0xff } as const;
export type PermissionName = keyof typeof PERMISSIONS;
export type GrantType = 'USER' | 'GROUP';
export const ALL_USERS = 'ALL_USERS';
export const AUTHENTICATED_USERS = 'AUTHENTICATED_USERS';

/** Stored ACL: `"<granteeId>:<USER|GROUP>"` → mask. */
export type AclMap = Record<string, number>;

export interface Grant {
  grantee: { id: string; displayName?: string };
  permission: PermissionName;
  type: GrantType;
}

export interface AccessControlPolicy {
  owner: { id: string; displayName?: string };
  accessControlList: Grant[];
}

/**
 * Who is calling (§2.6). Authenticators (signature, presigned, OAuth storage token, SSO) each
 * produce one; permission checks read only these fields.
 */
export interface FdsIdentity {
  /** 'developer': an app's access key; 'app-user': an (app, provider user) pair; 'server': a URL presigned by this server. */
  kind: 'anonymous' | 'developer' | 'app-user' | 'server';
  /** Ids that USER grants may name to match this caller (access key id and developer id, or the user id). */
  grantIds: string[];
  /** Owner id of what this caller owns; buckets and objects whose owner equals it are fully controlled. */
  ownerId: string | undefined;
  /** Recorded as owner of buckets and objects this caller creates (defaults to ownerId). */
  creatorId: string | undefined;
  /** Access key the server uses to presign URLs for this caller (PutObjectResult), if it has one. */
  accessKeyId?: string;
  /** Whether SSO_WRITE counts as WRITE for this caller (SSO and OAuth callers). */
  ssoWrite: boolean;
  /** Shown as owner.displayName. */
  displayName: string;
  /** Method+path this identity is restricted to (server-presigned URLs read only). */
  readOnly?: boolean;
  /** Server-presigned URLs: the one object version this identity may read. */
  boundVersionId?: string;
}

export const ANONYMOUS: FdsIdentity = {
  kind: 'anonymous',
  grantIds: [],
  ownerId: undefined,
  creatorId: undefined,
  ssoWrite: false,
  displayName: 'anonymous',
};

const ORDER: PermissionName[] = ['READ', 'WRITE', 'READ_OBJECTS', 'SSO_WRITE'];

export function ownerAcl(ownerId: string): AclMap {
  return { [`${ownerId}:USER`]: PERMISSIONS.FULL_CONTROL };
}

const PERMISSION_NAMES = Object.keys(PERMISSIONS) as PermissionName[];

/** A policy as clients send it (§7.2): the owner field is ignored; a grant without a type is USER unless it names a group. */
export const PolicyBody = bodyShape(
  Type.Object({
    accessControlList: Type.Optional(
      Type.Union([
        Type.Array(
          Type.Object({
            grantee: Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
            permission: Type.Union(PERMISSION_NAMES.map((p) => Type.Literal(p))),
            type: Type.Optional(Type.Union([Type.Literal('USER'), Type.Literal('GROUP'), Type.Null()])),
          }),
        ),
        Type.Null(),
      ]),
    ),
  }),
  'ACL body',
);

/** Parses a policy body into (key, mask) pairs (§7.2). */
export function parsePolicy(body: unknown): Array<[string, number]> {
  const list = checked(PolicyBody, body).accessControlList ?? [];
  return list.map((g): [string, number] => {
    const id = g.grantee.id;
    const type: GrantType = g.type ?? (id === ALL_USERS || id === AUTHENTICATED_USERS ? 'GROUP' : 'USER');
    return [`${id}:${type}`, PERMISSIONS[g.permission as PermissionName]];
  });
}

/** Merge: OR each grant's bits into the stored mask. */
export function mergeAcl(acl: AclMap, grants: Array<[string, number]>): AclMap {
  const out = { ...acl };
  for (const [k, m] of grants) out[k] = (out[k] ?? 0) | m;
  return out;
}

/** Delete: clear the given bits; drop a key whose mask reaches 0. */
export function removeAcl(acl: AclMap, grants: Array<[string, number]>): AclMap {
  const out = { ...acl };
  for (const [k, m] of grants) {
    if (out[k] === undefined) continue;
    const left = out[k] & ~m & 0xff;
    if (left === 0) delete out[k];
    else out[k] = left;
  }
  return out;
}

/** The grant list a client reads (CORE `getGrantList`). */
export function grantList(acl: AclMap): Grant[] {
  const out: Grant[] = [];
  for (const [key, mask] of Object.entries(acl)) {
    const colon = key.lastIndexOf(':');
    const id = key.slice(0, colon);
    const type = key.slice(colon + 1) as GrantType;
    if (mask === PERMISSIONS.FULL_CONTROL) {
      out.push({ grantee: { id }, permission: 'FULL_CONTROL', type });
      continue;
    }
    for (const p of ORDER) if (mask & PERMISSIONS[p]) out.push({ grantee: { id }, permission: p, type });
  }
  return out;
}

export function policy(ownerId: string, acl: AclMap): AccessControlPolicy {
  return { owner: { id: ownerId }, accessControlList: grantList(acl) };
}

/** The bits the ACL grants this caller: USER grants naming one of its ids, and matching groups. */
export function maskFor(acl: AclMap, who: FdsIdentity): number {
  let mask = acl[`${ALL_USERS}:GROUP`] ?? 0;
  if (who.kind !== 'anonymous') {
    mask |= acl[`${AUTHENTICATED_USERS}:GROUP`] ?? 0;
    for (const id of who.grantIds) mask |= acl[`${id}:USER`] ?? 0;
  }
  return mask;
}

/** Whether `mask` includes every bit of `need` (FULL_CONTROL covers everything). */
export function has(mask: number, need: number): boolean {
  return (mask & need) === need;
}

/** Canned ACLs of the `x-xiaomi-acl` header (CORE `CannedAcl`), as grants to merge. */
export function cannedAcl(header: string): { bucket: Array<[string, number]>; object: Array<[string, number]> } {
  const bucket: Array<[string, number]> = [];
  const object: Array<[string, number]> = [];
  for (const name of header
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)) {
    const group = name.startsWith('AUTHENTICATED_') ? `${AUTHENTICATED_USERS}:GROUP` : `${ALL_USERS}:GROUP`;
    const what = name.replace(/^(PUBLIC|AUTHENTICATED)_/, '');
    if (what === 'READ') object.push([group, PERMISSIONS.READ]);
    else if (what === 'WRITE') bucket.push([group, PERMISSIONS.WRITE]);
    else if (what === 'READ_OBJECTS') bucket.push([group, PERMISSIONS.READ_OBJECTS]);
    else if (what === 'SSO_WRITE') bucket.push([group, PERMISSIONS.SSO_WRITE]);
    else throw new FdsError('InvalidRequest', `unknown canned ACL ${name}`);
  }
  return { bucket, object };
}

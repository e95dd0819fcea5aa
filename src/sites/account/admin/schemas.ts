// The admin API's JSON shapes (TypeBox): answers are serialized from them (no undeclared key leaves
// the server, a password hash or a secret hash never can).
import { type Static, Type } from '@sinclair/typebox';
import { ROLES } from '../../../core/account/roles.ts';

export const RoleName = Type.Union([Type.Literal('user'), Type.Literal('developer'), Type.Literal('admin')], {
  description: ROLES.join(', '),
});

export const UserOut = Type.Object({
  userId: Type.String(),
  account: Type.String(),
  nickname: Type.String(),
  email: Type.String(),
  phone: Type.String(),
  avatarUrl: Type.String(),
  locale: Type.String(),
  createdAt: Type.Number(),
  role: RoleName,
  locked: Type.Boolean(),
});

export const UserDetail = Type.Composite([UserOut, Type.Object({ developerId: Type.Union([Type.String(), Type.Null()]) })]);

export const AppFlagsIn = Type.Partial(
  Type.Object({
    exactRedirect: Type.Boolean(),
    public: Type.Boolean(),
    bearer: Type.Boolean(),
    allowImplicit: Type.Boolean(),
    emitUserId: Type.Boolean(),
    requireMac: Type.Boolean(),
    strictScope: Type.Boolean(),
  }),
  { additionalProperties: false },
);

export const AppOut = Type.Object({
  clientId: Type.String(),
  developerId: Type.String(),
  name: Type.String(),
  redirectUris: Type.String(),
  scopes: Type.Array(Type.Integer()),
  flags: AppFlagsIn,
  createdAt: Type.Number(),
  disabled: Type.Boolean(),
});

export const DeveloperOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.Number(),
  userId: Type.Union([Type.String(), Type.Null()]),
});

export const FdsKeyOut = Type.Object({ clientId: Type.String(), accessKeyId: Type.String(), accessSecret: Type.String() });

export const BucketOut = Type.Object({
  name: Type.String(),
  ownerId: Type.String(),
  createdAt: Type.Number(),
  versioning: Type.Union([Type.Integer(), Type.Null()]),
  numObjects: Type.Number(),
  usedSpace: Type.Number(),
});

export const AuditEventOut = Type.Object({
  id: Type.Number(),
  at: Type.Number(),
  type: Type.String(),
  actor: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const UserIdParams = Type.Object({ userId: Type.String({ pattern: '^[0-9]{1,20}$' }) });
export const ClientIdParams = Type.Object({ clientId: Type.String({ pattern: '^[0-9]{1,20}$' }) });

export const Done = (key: string) => Type.Object({ [key]: Type.String(), done: Type.Literal(true) });

export type UserOutT = Static<typeof UserOut>;

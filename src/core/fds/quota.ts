// Bucket quotas (fds-protocol §9, §13 QuotaPolicy): `PUT /{b}?quota` with
// `{"quotas":[{"type":"QPS"|"Throughput","action":"GetObject","value":<long>}]}`. A quota's action
// is an operation name with a capital first letter (GetObject, PutObject, PostObject,
// DeleteObject, ListObjects, HeadObject, GetObjectMetadata, ImageProcess, …: Opal's operation
// names, as CORE's Action enum names them). QPS counts requests per second; Throughput counts
// request and response body bytes per second. Counted in fixed one-second windows.
import { type Static, Type } from '@sinclair/typebox/type';
import { bodyShape, checked } from './json-input.ts';

const QuotaPolicySchema = Type.Object({
  quotas: Type.Array(
    Type.Object({
      type: Type.Union([Type.Literal('QPS'), Type.Literal('Throughput')]),
      action: Type.String({ pattern: '^[A-Za-z]{1,64}$' }),
      value: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    }),
    { maxItems: 64 },
  ),
});

export const QuotaPolicyBody = bodyShape(QuotaPolicySchema, 'quota body');

export type QuotaPolicy = Static<typeof QuotaPolicySchema>;

/** Checks a stored or sent policy; throws FdsError InvalidRequest naming the field. */
export function parseQuotaPolicy(body: unknown): QuotaPolicy {
  return checked(QuotaPolicyBody, body);
}

/** The action name of an operation (`getObject` → `GetObject`). */
export function actionOf(op: string): string {
  return op.charAt(0).toUpperCase() + op.slice(1);
}

/** The smallest limit of a type for an action, or undefined. */
export function limitOf(policy: QuotaPolicy, type: 'QPS' | 'Throughput', action: string): number | undefined {
  let limit: number | undefined;
  for (const q of policy.quotas) if (q.type === type && q.action === action && (limit === undefined || q.value < limit)) limit = q.value;
  return limit;
}

// JSON request bodies (fds-protocol §13): every FDS body that is JSON is checked against a TypeBox
// schema before anything reads it, and a mismatch is an FdsError naming the offending field. The
// schemas of bodies that carry protocol rules of their own live beside those rules (the ACL policy
// in acl.ts, lifecycle and CORS rules in bucket-config.ts, the part list in part-list.ts); the ones
// here need no more than their shape.
import { type TypeCheck, TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import { type Static, type TSchema, Type } from '@sinclair/typebox/type';
import { FdsError, type FdsErrorCode } from './errors.ts';

/** A compiled check of one body shape, and what to call the body in an error message ("ACL body"). */
export interface BodyShape<S extends TSchema> {
  readonly check: TypeCheck<S>;
  readonly what: string;
}

export function bodyShape<S extends TSchema>(schema: S, what: string): BodyShape<S> {
  return { check: TypeCompiler.Compile(schema), what };
}

/** The most specific error: inside a union, the one of the variant that got furthest. */
function deepest(e: ValueError): ValueError {
  let best = e;
  for (const variant of e.errors) {
    const first = variant.First();
    const d = first && deepest(first);
    if (d && d.path.length > best.path.length) best = d;
  }
  return best;
}

/** `value` if it has the shape, else FdsError(code) saying which field is wrong and how. */
export function checked<S extends TSchema>(shape: BodyShape<S>, value: unknown, code: FdsErrorCode = 'InvalidRequest'): Static<S> {
  if (shape.check.Check(value)) return value;
  const first = shape.check.Errors(value).First();
  const e = first && deepest(first);
  const where = e?.path ? `${shape.what}: ${e.path.slice(1)}` : shape.what;
  throw new FdsError(code, `${where}: ${e?.message ?? 'malformed'}`);
}

/** Batch delete `PUT /{b}?deleteObjects` (§5.8): names, Java may send null; at most 1000. */
export const DeleteObjectsBody = bodyShape(Type.Array(Type.Unknown(), { maxItems: 1000 }), 'batch delete body (at most 1000 names)');

/** Copy `PUT /{b}/{o}?cp` (§5.7). */
export const CopyObjectBody = bodyShape(Type.Object({ srcBucketName: Type.String(), srcObjectName: Type.String() }), 'copy body');

/** `PUT /{b}/{o}?setMetaData` (§5.13): `{"rawMeta":{...}}`; entries that are not strings or numbers are ignored. */
export const SetMetaDataBody = bodyShape(Type.Object({ rawMeta: Type.Record(Type.String(), Type.Unknown()) }), 'setMetaData body');

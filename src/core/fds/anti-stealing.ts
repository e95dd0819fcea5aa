// Timestamp anti-stealing links (fds-protocol §5.12): `{base}{b}/{o}?sign=<md5hex>&t=<hexSeconds>`
// with sign = md5hex(key + "/" + b + "/" + o + t), key the bucket's primary or secondary key.
// Java signs the URI-encoded path, Python the plain one: both are accepted. Valid while t > now.
import { createHash, timingSafeEqual } from 'node:crypto';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type Static, Type } from '@sinclair/typebox/type';
import { encodePath } from '../encoding.ts';

/** TimestampAntiStealingLinkConfig (§13), the body stored by `PUT /{b}?antiStealingLink`. */
const AntiStealingConfigSchema = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  primaryKey: Type.Optional(Type.String()),
  secondaryKey: Type.Optional(Type.String()),
});
export type AntiStealingConfig = Static<typeof AntiStealingConfigSchema>;
const isConfig = TypeCompiler.Compile(AntiStealingConfigSchema);

/** Whether a stored configuration body has that shape (it is stored as sent; another shape turns the links off). */
export function isAntiStealingConfig(v: unknown): v is AntiStealingConfig {
  return isConfig.Check(v);
}

export function antiStealingSign(key: string, bucket: string, object: string, t: string, encoded = false): string {
  const path = encoded ? `/${encodePath(bucket)}/${encodePath(object)}` : `/${bucket}/${object}`;
  return createHash('md5').update(`${key}${path}${t}`, 'utf8').digest('hex');
}

export function antiStealingValid(
  cfg: AntiStealingConfig,
  bucket: string,
  object: string,
  sign: string,
  t: string,
  nowMs: number,
): boolean {
  if (!cfg.enabled || !/^[0-9a-f]{1,12}$/i.test(t) || Number.parseInt(t, 16) * 1000 <= nowMs) return false;
  const presented = Buffer.from(sign.toLowerCase());
  let ok = false;
  for (const key of [cfg.primaryKey, cfg.secondaryKey]) {
    if (!key) continue;
    for (const encoded of [false, true]) {
      const expected = Buffer.from(antiStealingSign(key, bucket, object, t, encoded));
      if (expected.length === presented.length && timingSafeEqual(expected, presented)) ok = true;
    }
  }
  return ok;
}

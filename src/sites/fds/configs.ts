// Bucket configurations (fds-protocol §9, §8.3): lifecycle and CORS (full config or one rule;
// ids "1", "2", …), the versioning integer (returned as bare text), and the other configs stored
// and returned as sent. All owner / FULL_CONTROL only.
import { parseConfig, upsertRule } from '../../core/fds/bucket-config.ts';
import type { BucketConfig } from '../../core/fds/dispatch.ts';
import { FdsError } from '../../core/fds/errors.ts';
import { parseQuotaPolicy } from '../../core/fds/quota.ts';
import { ListDomainMappingsResult } from '../../core/fds/responses.ts';
import { checkBucketAdmin, requireBucket } from './access.ts';
import type { FdsCall } from './call.ts';
import { sendEmpty, sendJson, sendStoredJson, sendText } from './replies.ts';
import { readJson, readSmallBody } from './streams.ts';

export async function putBucketConfig(c: FdsCall, config: BucketConfig): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  const value = c.params.get(config) ?? '';
  if (config === 'lifecycle' || config === 'cors') {
    const body = (await readJson(c.body)) ?? {};
    const full = value === 'rule' ? undefined : parseConfig(body, config);
    if (value === 'rule') upsertRule([], body, config); // validate before locking
    const changed = await c.env.buckets.change(b.name, (now) => ({
      [config]: full ?? { rules: upsertRule(now[config]?.rules ?? [], body, config) },
    }));
    if (!changed) throw new FdsError('BucketNotFound', b.name);
    sendEmpty(c);
    return;
  }
  if (config === 'versioning') {
    if (!/^-?\d{1,9}$/.test(value)) throw new FdsError('InvalidRequest', 'versioning takes an integer');
    await c.env.buckets.change(b.name, () => ({ versioning: Number(value) }));
    sendEmpty(c);
    return;
  }
  // Stored as sent: the query value and, when present, the body (JSON if it parses, else text).
  const raw = (await readSmallBody(c.body, 1024 * 1024)).toString('utf8');
  let body: unknown = raw;
  try {
    body = raw.trim() === '' ? undefined : JSON.parse(raw);
  } catch {
    /* keep text */
  }
  if (config === 'quota') parseQuotaPolicy(body); // enforced (quota.ts): it must be a QuotaPolicy
  await c.env.buckets.change(b.name, (now) => ({ configs: { ...now.configs, [config]: { value, body } } }));
  sendEmpty(c);
}

export async function getBucketConfig(c: FdsCall, config: BucketConfig): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  const value = c.params.get(config) ?? '';
  if (config === 'lifecycle' || config === 'cors') {
    const cfg = b[config] ?? { rules: [] };
    if (value !== '' && value !== 'true') {
      const rule = cfg.rules.find((r) => r.id === value);
      if (!rule) throw new FdsError('ConfigNotFound', `no ${config} rule ${value}`);
      sendStoredJson(c, rule);
      return;
    }
    sendStoredJson(c, cfg);
    return;
  }
  if (config === 'versioning') {
    sendText(c, String(b.versioning ?? 0));
    return;
  }
  const stored = b.configs[config];
  if (!stored) throw new FdsError('ConfigNotFound', config);
  if (config === 'webpQuality' || config === 'gifType') {
    sendText(c, stored.value);
    return;
  }
  if (config === 'domain') {
    sendJson(c, ListDomainMappingsResult, { domainMappings: stored.value ? [stored.value] : [] });
    return;
  }
  sendStoredJson(c, stored.body ?? {});
}

export async function deleteBucketConfig(c: FdsCall, config: BucketConfig): Promise<void> {
  const b = await requireBucket(c);
  checkBucketAdmin(c, b);
  await c.env.buckets.change(b.name, (now) => {
    const { [config]: _gone, ...rest } = now.configs;
    return { configs: rest };
  });
  sendEmpty(c);
}

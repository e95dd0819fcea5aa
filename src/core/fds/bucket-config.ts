// Lifecycle and CORS bucket configurations (fds-protocol §9): rule ids are strings; a rule without
// an id gets the smallest unused positive integer; a rule with an existing id replaces it. Rules
// are stored and returned as sent. Also: when a lifecycle rule makes an object expire.
import { Type } from '@sinclair/typebox/type';
import { bodyShape, checked } from './json-input.ts';

export type Rule = Record<string, unknown> & { id?: string };
export interface RulesConfig {
  rules: Rule[];
}

/** The other configurations (accessLog, antiStealingLink, domain, …), stored as sent: query value and body. */
export interface StoredConfig {
  value: string;
  body?: unknown;
}
export type StoredConfigs = Record<string, StoredConfig>;

const DAY_MS = 86_400_000;

/** The lifecycle actions a rule may hold (PY raises on others). */
export const LIFECYCLE_ACTIONS: readonly string[] = [
  'nonCurrentVersionExpiration',
  'expiration',
  'abortIncompleteMultipartUpload',
  'lifeCycleStorageClass',
];

function nextId(rules: Rule[]): string {
  const used = new Set(rules.map((r) => r.id));
  let n = 1;
  while (used.has(String(n))) n++;
  return String(n);
}

/** A rule id as clients send it: a string, or a number taken as its decimal string; null or '' means none. */
const RuleId = Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()]));
const Days = Type.Object({ days: Type.Number({ minimum: 0 }) });

/** Rule bodies; other fields are kept and returned as sent. Only the four known lifecycle actions (PY raises on others). */
const RULE_SCHEMAS = {
  lifecycle: Type.Object({
    id: RuleId,
    prefix: Type.Optional(Type.String()),
    actions: Type.Optional(
      Type.Object(Object.fromEntries(LIFECYCLE_ACTIONS.map((a) => [a, Type.Optional(Days)])), { additionalProperties: false }),
    ),
  }),
  cors: Type.Object({ id: RuleId, allowOrigin: Type.Optional(Type.String()) }),
};

const RULE_BODIES = {
  lifecycle: bodyShape(RULE_SCHEMAS.lifecycle, 'lifecycle rule'),
  cors: bodyShape(RULE_SCHEMAS.cors, 'cors rule'),
};

const CONFIG_BODIES = {
  lifecycle: bodyShape(
    Type.Object({ rules: Type.Optional(Type.Union([Type.Array(RULE_SCHEMAS.lifecycle), Type.Null()])) }),
    'lifecycle config body',
  ),
  cors: bodyShape(Type.Object({ rules: Type.Optional(Type.Union([Type.Array(RULE_SCHEMAS.cors), Type.Null()])) }), 'cors config body'),
};

/** A checked rule with its id normalized in place (a string, or absent); the fields keep their order. */
function normalized(checkedRule: Record<string, unknown> & { id?: string | number | null }): Rule {
  const r: Record<string, unknown> = { ...checkedRule };
  if (r.id === undefined || r.id === null || r.id === '') delete r.id;
  else r.id = String(r.id);
  return r as Rule;
}

/** Adds or replaces one rule, assigning an id when missing. */
export function upsertRule(rules: Rule[], raw: unknown, kind: 'lifecycle' | 'cors'): Rule[] {
  const r = normalized(kind === 'lifecycle' ? checked(RULE_BODIES.lifecycle, raw) : checked(RULE_BODIES.cors, raw));
  const out = [...rules];
  if (r.id === undefined) {
    out.push({ id: nextId(out), ...r });
    return out;
  }
  const i = out.findIndex((x) => x.id === r.id);
  if (i >= 0) out[i] = r;
  else out.push(r);
  return out;
}

/** Parses a full config body `{"rules":[...]}`; id-less rules get the smallest unused ids. */
export function parseConfig(body: unknown, kind: 'lifecycle' | 'cors'): RulesConfig {
  const list = kind === 'lifecycle' ? checked(CONFIG_BODIES.lifecycle, body).rules : checked(CONFIG_BODIES.cors, body).rules;
  const parsed = (list ?? []).map(normalized);
  // As in nextId, the id-less rules put undefined in the set, which no String(n) matches.
  const used = new Set(parsed.map((r) => r.id));
  const rules: Rule[] = [];
  const indexOf = new Map<string, number>();
  // One pass, linear in the number of rules: ids only ever get taken, so the smallest unused
  // one never moves back.
  let n = 1;
  for (const r of parsed) {
    if (r.id === undefined) {
      while (used.has(String(n))) n++;
      used.add(String(n));
      rules.push({ id: String(n), ...r });
      continue;
    }
    const i = indexOf.get(r.id);
    if (i !== undefined) rules[i] = r;
    else {
      indexOf.set(r.id, rules.length);
      rules.push(r);
    }
  }
  return { rules };
}

/** A lifecycle action's age threshold in ms for enabled rules matching `name`, or undefined. */
export function lifecycleAge(config: RulesConfig, name: string, action: string): number | undefined {
  let best: number | undefined;
  for (const r of config.rules) {
    if (r.enabled === false) continue;
    const prefix = typeof r.prefix === 'string' ? r.prefix : '';
    if (!name.startsWith(prefix)) continue;
    const days = (r.actions as Record<string, { days?: number } | undefined> | undefined)?.[action]?.days;
    if (typeof days !== 'number') continue;
    const ms = days * DAY_MS;
    if (best === undefined || ms < best) best = ms;
  }
  return best;
}

/** Whether an Origin matches a CORS rule's allowOrigin (`*`, exact, or `*.suffix`). */
export function originAllowed(config: RulesConfig, origin: string): boolean {
  return config.rules.some((r) => {
    const allow = typeof r.allowOrigin === 'string' ? r.allowOrigin : '';
    if (allow === '*' || allow === origin) return true;
    if (allow.startsWith('*.')) {
      try {
        return new URL(origin).hostname.endsWith(allow.slice(1));
      } catch {
        return false;
      }
    }
    return false;
  });
}

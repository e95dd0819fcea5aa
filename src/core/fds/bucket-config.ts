// Lifecycle and CORS bucket configurations (fds-protocol §9): rule ids are strings; a rule without
// an id gets the smallest unused positive integer; a rule with an existing id replaces it. Rules
// are stored and returned as sent. Also: when a lifecycle rule makes an object expire.
import { FdsError } from './errors.ts';

export const LIFECYCLE_ACTIONS = ['nonCurrentVersionExpiration', 'expiration', 'abortIncompleteMultipartUpload', 'lifeCycleStorageClass'];

export type Rule = Record<string, unknown> & { id?: string };
export interface RulesConfig {
  rules: Rule[];
}

const DAY_MS = 86_400_000;

function nextId(rules: Rule[]): string {
  const used = new Set(rules.map((r) => r.id));
  let n = 1;
  while (used.has(String(n))) n++;
  return String(n);
}

function asRule(x: unknown, kind: 'lifecycle' | 'cors'): Rule {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new FdsError('InvalidRequest', `${kind} rule must be a JSON object`);
  const r = { ...(x as Record<string, unknown>) } as Rule;
  if (r.id !== undefined && r.id !== null) {
    if (typeof r.id !== 'string' && typeof r.id !== 'number') throw new FdsError('InvalidRequest', 'rule id must be a string');
    r.id = String(r.id);
    if (r.id === '') delete r.id;
  } else delete r.id;
  if (kind === 'lifecycle') {
    if (r.prefix !== undefined && typeof r.prefix !== 'string') throw new FdsError('InvalidRequest', 'prefix must be a string');
    const actions = r.actions;
    if (actions !== undefined) {
      if (typeof actions !== 'object' || actions === null || Array.isArray(actions))
        throw new FdsError('InvalidRequest', 'actions must be an object');
      for (const [name, a] of Object.entries(actions)) {
        if (!LIFECYCLE_ACTIONS.includes(name)) throw new FdsError('InvalidRequest', `unknown lifecycle action ${name}`);
        const days = (a as { days?: unknown } | null)?.days;
        if (typeof days !== 'number' || !Number.isFinite(days) || days < 0)
          throw new FdsError('InvalidRequest', `${name}.days must be a number`);
      }
    }
  } else if (r.allowOrigin !== undefined && typeof r.allowOrigin !== 'string') {
    throw new FdsError('InvalidRequest', 'allowOrigin must be a string');
  }
  return r;
}

/** Adds or replaces one rule, assigning an id when missing. */
export function upsertRule(rules: Rule[], raw: unknown, kind: 'lifecycle' | 'cors'): Rule[] {
  const r = asRule(raw, kind);
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
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new FdsError('InvalidRequest', `${kind} config must be a JSON object`);
  const list = (body as { rules?: unknown }).rules ?? [];
  if (!Array.isArray(list)) throw new FdsError('InvalidRequest', 'rules must be a list');
  const parsed = list.map((x) => asRule(x, kind));
  const used = new Set(parsed.map((r) => r.id).filter((id) => id !== undefined));
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

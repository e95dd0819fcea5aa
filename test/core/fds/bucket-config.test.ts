// Lifecycle and CORS bucket configurations (src/core/fds/bucket-config.ts, fds-protocol §9): the
// exact rules the fuzz suite (test/core/fuzz/bucket-config.test.ts) checks only in the large — which
// bodies each kind refuses and with what message, how ids are normalized and where they go, which
// rules a lifecycle age and a CORS origin come from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIFECYCLE_ACTIONS, lifecycleAge, originAllowed, parseConfig, type Rule, upsertRule } from '../../../src/core/fds/bucket-config.ts';
import { FdsError } from '../../../src/core/fds/errors.ts';

const DAY = 86_400_000;

/** Asserts that `f` throws FdsError InvalidRequest with exactly `message`. */
function refuses(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof FdsError, String(e));
    assert.equal(e.code, 'InvalidRequest');
    assert.equal(e.message, message);
    return true;
  });
}

describe('bucket configuration bodies', () => {
  it('lifecycle rules may hold exactly the four known actions, each with days ≥ 0', () => {
    assert.deepEqual(LIFECYCLE_ACTIONS, [
      'nonCurrentVersionExpiration',
      'expiration',
      'abortIncompleteMultipartUpload',
      'lifeCycleStorageClass',
    ]);
    for (const action of LIFECYCLE_ACTIONS) {
      const rule = { id: 'r', prefix: 'p/', actions: { [action]: { days: 0 } } };
      assert.deepEqual(parseConfig({ rules: [rule] }, 'lifecycle').rules, [rule], action);
      assert.deepEqual(upsertRule([], rule, 'lifecycle'), [rule], action);
    }
    refuses(
      () => parseConfig({ rules: [{ actions: { transition: { days: 1 } } }] }, 'lifecycle'),
      'Invalid Request: lifecycle config body: rules/0/actions/transition: Unexpected property',
    );
    refuses(
      () => parseConfig({ rules: [{ actions: { expiration: { days: -1 } } }] }, 'lifecycle'),
      'Invalid Request: lifecycle config body: rules/0/actions/expiration/days: Expected number to be greater or equal to 0',
    );
    refuses(
      () => upsertRule([], { actions: { expiration: { days: -0.5 } } }, 'lifecycle'),
      'Invalid Request: lifecycle rule: actions/expiration/days: Expected number to be greater or equal to 0',
    );
    refuses(
      () => upsertRule([], { actions: { expiration: {} } }, 'lifecycle'),
      'Invalid Request: lifecycle rule: actions/expiration/days: Expected required property',
    );
  });

  it('checks the fields of each kind: prefix and actions for lifecycle, allowOrigin for CORS, ids for both', () => {
    refuses(
      () => parseConfig({ rules: [{ prefix: 5 }] }, 'lifecycle'),
      'Invalid Request: lifecycle config body: rules/0/prefix: Expected string',
    );
    refuses(() => upsertRule([], { prefix: 5 }, 'lifecycle'), 'Invalid Request: lifecycle rule: prefix: Expected string');
    refuses(
      () => parseConfig({ rules: [{ actions: 5 }] }, 'lifecycle'),
      'Invalid Request: lifecycle config body: rules/0/actions: Expected object',
    );
    // CORS rules do not check the lifecycle fields, and lifecycle rules keep allowOrigin as sent.
    assert.deepEqual(parseConfig({ rules: [{ prefix: 5, actions: 'x' }] }, 'cors').rules, [{ id: '1', prefix: 5, actions: 'x' }]);
    assert.deepEqual(upsertRule([], { prefix: 5, actions: { transition: 1 } }, 'cors'), [
      { id: '1', prefix: 5, actions: { transition: 1 } },
    ]);
    assert.deepEqual(parseConfig({ rules: [{ allowOrigin: 5 }] }, 'lifecycle').rules, [{ id: '1', allowOrigin: 5 }]);
    assert.deepEqual(upsertRule([], { allowOrigin: 5 }, 'lifecycle'), [{ id: '1', allowOrigin: 5 }]);
    refuses(
      () => parseConfig({ rules: [{ allowOrigin: 5 }] }, 'cors'),
      'Invalid Request: cors config body: rules/0/allowOrigin: Expected string',
    );
    refuses(() => upsertRule([], { allowOrigin: true }, 'cors'), 'Invalid Request: cors rule: allowOrigin: Expected string');
    for (const kind of ['lifecycle', 'cors'] as const) {
      refuses(() => parseConfig({ rules: [{ id: {} }] }, kind), `Invalid Request: ${kind} config body: rules/0/id: Expected union value`);
      refuses(() => upsertRule([], { id: true }, kind), `Invalid Request: ${kind} rule: id: Expected union value`);
      refuses(() => upsertRule([], 5, kind), `Invalid Request: ${kind} rule: Expected object`);
      refuses(() => parseConfig({ rules: 5 }, kind), `Invalid Request: ${kind} config body: rules: Expected union value`);
      refuses(() => parseConfig({ rules: {} }, kind), `Invalid Request: ${kind} config body: rules: Expected union value`);
      refuses(() => parseConfig([], kind), `Invalid Request: ${kind} config body: Expected object`);
      refuses(() => parseConfig({ rules: [5] }, kind), `Invalid Request: ${kind} config body: rules/0: Expected object`);
    }
  });

  it('a body without rules, or with rules null, is an empty configuration', () => {
    for (const kind of ['lifecycle', 'cors'] as const) {
      assert.deepEqual(parseConfig({}, kind), { rules: [] });
      assert.deepEqual(parseConfig({ rules: null }, kind), { rules: [] });
      assert.deepEqual(parseConfig({ rules: [], other: 1 }, kind), { rules: [] });
    }
  });
});

describe('rule ids', () => {
  it('a number id becomes its decimal string; null, "" and absent mean none', () => {
    for (const kind of ['lifecycle', 'cors'] as const) {
      const rules = parseConfig({ rules: [{ id: 7 }, { id: 0 }, { id: 2.5 }, { id: null }, { id: '' }, {}] }, kind).rules;
      assert.deepEqual(rules, [{ id: '7' }, { id: '0' }, { id: '2.5' }, { id: '1' }, { id: '2' }, { id: '3' }]);
      assert.deepEqual(upsertRule([], { id: 7, prefix: 'a' }, kind), [{ id: '7', prefix: 'a' }]);
      assert.deepEqual(upsertRule([{ id: '1' }], { id: null, prefix: 'a' }, kind), [{ id: '1' }, { id: '2', prefix: 'a' }]);
      assert.deepEqual(upsertRule([{ id: '1' }], { id: '', prefix: 'a' }, kind), [{ id: '1' }, { id: '2', prefix: 'a' }]);
      assert.deepEqual(upsertRule([{ id: '1' }], { prefix: 'a' }, kind), [{ id: '1' }, { id: '2', prefix: 'a' }]);
    }
  });

  it('an id keeps its place among the fields; an assigned id comes first', () => {
    const order = (rules: Rule[]) => rules.map((r) => Object.keys(r).join(','));
    assert.deepEqual(
      order(parseConfig({ rules: [{ prefix: 'a', id: 4 }, { prefix: 'b', id: null }, { prefix: 'c' }] }, 'lifecycle').rules),
      ['prefix,id', 'id,prefix', 'id,prefix'],
    );
    assert.deepEqual(order(upsertRule([], { prefix: 'a', id: 4 }, 'cors')), ['prefix,id']);
    assert.deepEqual(order(upsertRule([], { prefix: 'a', id: '' }, 'cors')), ['id,prefix']);
  });

  it('upsert replaces the rule with the same id in place, wherever it is, else appends', () => {
    const rules: Rule[] = [{ id: 'a', prefix: '1' }, { id: '2' }, { id: 'b', prefix: '3' }];
    assert.deepEqual(upsertRule(rules, { id: 'a', prefix: 'x' }, 'lifecycle'), [
      { id: 'a', prefix: 'x' },
      { id: '2' },
      { id: 'b', prefix: '3' },
    ]);
    assert.deepEqual(upsertRule(rules, { id: 'b' }, 'lifecycle'), [{ id: 'a', prefix: '1' }, { id: '2' }, { id: 'b' }]);
    assert.deepEqual(upsertRule(rules, { id: 'c' }, 'cors'), [...rules, { id: 'c' }]);
    // The smallest unused positive integer, whatever the order of the taken ones.
    assert.deepEqual(upsertRule(rules, {}, 'cors').at(-1), { id: '1' });
    assert.deepEqual(upsertRule([{ id: '3' }, { id: '1' }, { id: '2' }], {}, 'cors').at(-1), { id: '4' });
    // The rules given are left as they were.
    assert.deepEqual(rules, [{ id: 'a', prefix: '1' }, { id: '2' }, { id: 'b', prefix: '3' }]);
  });

  it('a full body: later rules with a taken id replace the earlier one in its place', () => {
    assert.deepEqual(parseConfig({ rules: [{ id: 'x', prefix: 'a' }, {}, { id: 'x', prefix: 'b' }, { id: 1 }] }, 'lifecycle').rules, [
      { id: 'x', prefix: 'b' },
      { id: '2' },
      { id: '1' },
    ]);
  });
});

describe('lifecycle ages', () => {
  const rule = (r: Record<string, unknown>): Rule => ({ id: '1', ...r });

  it('the smallest days of the enabled rules whose prefix starts the name, for the action asked', () => {
    const cfg = {
      rules: [
        rule({ prefix: 'a/', actions: { expiration: { days: 2 } } }),
        rule({ prefix: 'a/', actions: { expiration: { days: 5 }, nonCurrentVersionExpiration: { days: 1 } } }),
        rule({ prefix: 'a/b', actions: { expiration: { days: 1 } } }),
      ],
    };
    assert.equal(lifecycleAge(cfg, 'a/x', 'expiration'), 2 * DAY);
    assert.equal(lifecycleAge({ rules: [...cfg.rules].reverse() }, 'a/x', 'expiration'), 2 * DAY);
    assert.equal(lifecycleAge(cfg, 'a/bc', 'expiration'), 1 * DAY);
    assert.equal(lifecycleAge(cfg, 'a/x', 'nonCurrentVersionExpiration'), 1 * DAY);
    assert.equal(lifecycleAge(cfg, 'a/x', 'abortIncompleteMultipartUpload'), undefined);
    // The prefix must start the name: a name that only ends with it does not match.
    assert.equal(lifecycleAge(cfg, 'x/a/', 'expiration'), undefined);
  });

  it('a rule without a prefix (or with a non-string one) matches every name; only enabled: false turns a rule off', () => {
    const days = { actions: { expiration: { days: 3 } } };
    assert.equal(lifecycleAge({ rules: [rule(days)] }, 'any/name', 'expiration'), 3 * DAY);
    assert.equal(lifecycleAge({ rules: [rule({ ...days, prefix: 5 })] }, 'any/name', 'expiration'), 3 * DAY);
    assert.equal(lifecycleAge({ rules: [rule({ ...days, enabled: false })] }, 'x', 'expiration'), undefined);
    assert.equal(lifecycleAge({ rules: [rule({ ...days, enabled: true })] }, 'x', 'expiration'), 3 * DAY);
    assert.equal(lifecycleAge({ rules: [rule({ ...days, enabled: 'false' })] }, 'x', 'expiration'), 3 * DAY);
    assert.equal(lifecycleAge({ rules: [rule({ ...days, enabled: 0 })] }, 'x', 'expiration'), 3 * DAY);
  });

  it('rules without actions, without the action or without numeric days are skipped', () => {
    const rules = [
      rule({}),
      rule({ actions: {} }),
      rule({ actions: { expiration: {} } }),
      rule({ actions: { expiration: { days: '1' } } }),
      rule({ actions: { expiration: null } }),
    ];
    assert.equal(lifecycleAge({ rules }, 'x', 'expiration'), undefined);
    assert.equal(lifecycleAge({ rules: [...rules, rule({ actions: { expiration: { days: 0 } } })] }, 'x', 'expiration'), 0);
    assert.equal(lifecycleAge({ rules: [] }, 'x', 'expiration'), undefined);
  });
});

describe('CORS origins', () => {
  const cors = (...allow: unknown[]) => ({ rules: allow.map((allowOrigin, i) => ({ id: String(i + 1), allowOrigin })) });

  it('`*` allows any origin; otherwise the exact origin', () => {
    assert.equal(originAllowed(cors('*'), 'https://anything.test'), true);
    assert.equal(originAllowed(cors('https://a.test'), 'https://a.test'), true);
    assert.equal(originAllowed(cors('https://a.test'), 'https://b.test'), false);
    assert.equal(originAllowed(cors('https://a.test'), 'https://a.test:443'), false);
  });

  it('any one rule is enough', () => {
    assert.equal(originAllowed(cors('https://a.test', 'https://b.test'), 'https://b.test'), true);
    assert.equal(originAllowed(cors('https://a.test', 'https://b.test'), 'https://a.test'), true);
    assert.equal(originAllowed(cors('https://a.test', 'https://b.test'), 'https://c.test'), false);
    assert.equal(originAllowed(cors(), 'https://c.test'), false);
  });

  it('`*.suffix` allows hosts ending with `.suffix`; a pattern without the leading `*.` is not a wildcard', () => {
    assert.equal(originAllowed(cors('*.example.com'), 'http://a.b.example.com:8080'), true);
    assert.equal(originAllowed(cors('*.example.com'), 'https://example.com'), false);
    assert.equal(originAllowed(cors('*.example.com'), 'https://a.example.com.evil.test'), false);
    assert.equal(originAllowed(cors('*.example.com'), 'https://evil.test/a.example.com'), false);
    assert.equal(originAllowed(cors('*.example.com'), 'not a url.example.com'), false);
    assert.equal(originAllowed(cors('a.example.com'), 'https://b.a.example.com'), false);
    assert.equal(originAllowed(cors('x*.example.com'), 'https://b.example.com'), false);
  });

  it('a rule without a string allowOrigin allows no (non-empty) origin and does not throw', () => {
    assert.equal(originAllowed({ rules: [{ id: '1' }] }, 'https://a.test'), false);
    assert.equal(originAllowed(cors(5, null), 'https://a.test'), false);
    assert.equal(originAllowed({ rules: [{ id: '1' }, { id: '2', allowOrigin: '*' }] }, 'https://a.test'), true);
  });
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { addAdminConsoleMessages } from '../../src/sites/account/admin-console/messages.ts';
import { addCheckPasswordMessages } from '../../src/sites/account/check-password/messages.ts';
import { addFactorMessages } from '../../src/sites/account/factors/messages.ts';
import { translator } from '../../src/web/i18n.ts';
import { fromAcceptLanguage, normalizeLocale, pickLocale } from '../../src/web/locale.ts';
import { consoleEn } from '../../src/web/messages/console-en.ts';
import { consoleZhCN } from '../../src/web/messages/console-zh-CN.ts';
import { en } from '../../src/web/messages/en.ts';
import { selfServiceEn } from '../../src/web/messages/self-service-en.ts';
import { selfServiceZhCN } from '../../src/web/messages/self-service-zh-CN.ts';
import { zhCN } from '../../src/web/messages/zh-CN.ts';
import { renderHtml } from '../../src/web/render.ts';

test('locale spellings from Android/iOS _locale', () => {
  assert.equal(normalizeLocale('zh_CN'), 'zh-CN');
  assert.equal(normalizeLocale('zh_TW'), 'zh-CN');
  assert.equal(normalizeLocale('en_US'), 'en');
  assert.equal(normalizeLocale('fr_FR'), undefined);
  assert.equal(normalizeLocale(undefined), undefined);
});

test('Accept-Language with q-values', () => {
  assert.equal(fromAcceptLanguage('fr-FR,fr;q=0.9,zh-CN;q=0.8,en;q=0.7'), 'zh-CN');
  assert.equal(fromAcceptLanguage('en;q=0.5, zh;q=0.9'), 'zh-CN');
  assert.equal(fromAcceptLanguage('zh;q=0, en'), 'en');
  assert.equal(fromAcceptLanguage('de'), undefined);
  assert.equal(pickLocale('en_US', 'zh-CN'), 'en');
  assert.equal(pickLocale(undefined, undefined), 'en');
});

/** Every leaf key of a message tree, dotted. */
const leafKeys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? leafKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));

/** Every key the code names literally: `t('…')` in the templates and the sources. */
function keysInCode(dir = join(import.meta.dirname, '../../src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return keysInCode(path);
    if (!/\.(ts|eta)$/.test(e.name)) return [];
    return [...readFileSync(path, 'utf8').matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1] ?? '');
  });
}

test('both locales have every message key', () => {
  addCheckPasswordMessages();
  addAdminConsoleMessages();
  addFactorMessages();
  const [enKeys, zhKeys] = [leafKeys(en), leafKeys(zhCN)];
  assert.deepEqual([...zhKeys].sort(), [...enKeys].sort(), 'the same keys in en and zh-CN');
  const used = keysInCode();
  assert.ok(used.length > 30, `keys found in the code: ${used.length}`);
  const keys = [...new Set([...enKeys, ...used])].sort();
  for (const k of keys) {
    assert.notEqual(translator('en')(k), k, `en ${k}`);
    assert.notEqual(translator('zh-CN')(k), k, `zh-CN ${k}`);
    assert.notEqual(translator('en')(k), translator('zh-CN')(k), k);
  }
});

test('zh-CN says 帐号 and 您 everywhere (never 账号 or 你), and the self-service texts have the same keys', () => {
  addCheckPasswordMessages();
  addAdminConsoleMessages();
  addFactorMessages();
  const t = translator('zh-CN');
  const all = [...new Set([...leafKeys(en), ...leafKeys(selfServiceEn), ...leafKeys(consoleEn), ...keysInCode()])].map((k) => t(k));
  assert.ok(all.length > 100);
  for (const text of all) assert.doesNotMatch(text, /账号|你(?!们)/, text);
  assert.deepEqual(leafKeys(selfServiceZhCN).sort(), leafKeys(selfServiceEn).sort());
  assert.deepEqual(leafKeys(consoleZhCN).sort(), leafKeys(consoleEn).sort());
  for (const k of leafKeys(consoleEn)) assert.notEqual(translator('en')(k), t(k), k);
});

test('templates escape what they are given', () => {
  const html = renderHtml('error', { message: '<script>alert(1)</script>', code: 96001 }, 'en');
  assert.equal(html.includes('<script>alert(1)'), false);
  assert.match(html, /&lt;script&gt;/);
  assert.match(html, /<html lang="en">/);
});

test('the account overview counts use plural rules ("1 authorized app", "2 sessions")', () => {
  const html = renderHtml(
    'account-overview',
    {
      user: { account: 'a', nickname: '', userId: '1', email: '', phone: '' },
      avatar: '/avatar/default.png',
      counts: { sessions: 2, apps: 1, friends: 1 },
    },
    'en',
  );
  assert.match(html, /2 sessions · 1 authorized app · 1 friend</);
});

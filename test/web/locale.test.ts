import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translator } from '../../src/web/i18n.ts';
import { fromAcceptLanguage, normalizeLocale, pickLocale } from '../../src/web/locale.ts';
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

test('both locales have every message key', () => {
  const keys = [
    'login.title',
    'login.invalid',
    'consent.allow',
    'consent.deny',
    'consent.switchAccount',
    'scope.1',
    'scope.16000',
    'errors.96010',
    'errors.csrf',
    'logout.done',
  ];
  for (const k of keys) {
    assert.notEqual(translator('en')(k), k, `en ${k}`);
    assert.notEqual(translator('zh-CN')(k), k, `zh-CN ${k}`);
    assert.notEqual(translator('en')(k), translator('zh-CN')(k), k);
  }
});

test('templates escape what they are given', () => {
  const html = renderHtml('error', { message: '<script>alert(1)</script>', code: 96001 }, 'en');
  assert.equal(html.includes('<script>alert(1)'), false);
  assert.match(html, /&lt;script&gt;/);
  assert.match(html, /<html lang="en">/);
});

// Page messages through i18next: one instance, English and Simplified Chinese. Other features add
// their own namespaces with addMessages(); `translator(locale)` gives the `t` used in templates.
import i18next, { type TFunction } from 'i18next';
import type { Locale } from './locale.ts';
import { accountEn } from './messages/account-en.ts';
import { accountZhCN } from './messages/account-zh-CN.ts';
import { bucketsEn } from './messages/buckets-en.ts';
import { bucketsZhCN } from './messages/buckets-zh-CN.ts';
import { consoleEn } from './messages/console-en.ts';
import { consoleZhCN } from './messages/console-zh-CN.ts';
import { en } from './messages/en.ts';
import { selfServiceEn } from './messages/self-service-en.ts';
import { selfServiceZhCN } from './messages/self-service-zh-CN.ts';
import { zhCN } from './messages/zh-CN.ts';

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  defaultNS: 'translation',
  ns: ['translation'],
  resources: {
    en: { translation: { ...en, ...selfServiceEn, ...consoleEn, account: accountEn, buckets: bucketsEn } },
    'zh-CN': { translation: { ...zhCN, ...selfServiceZhCN, ...consoleZhCN, account: accountZhCN, buckets: bucketsZhCN } },
  },
  interpolation: { escapeValue: false }, // templates escape on output
  returnNull: false,
  showSupportNotice: false,
} as Parameters<typeof instance.init>[0]);

/** Adds (deep-merges) messages under `namespace.` keys for both locales. */
export function addMessages(namespace: string, messages: Record<Locale, Record<string, unknown>>): void {
  for (const [lng, m] of Object.entries(messages)) instance.addResourceBundle(lng, 'translation', { [namespace]: m }, true, true);
}

export function translator(locale: Locale): TFunction {
  return instance.getFixedT(locale);
}

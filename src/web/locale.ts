// Page language: `_locale` (zh_CN, en_US, zh-TW… as Android/iOS send it) first, then
// Accept-Language, then English.

export type Locale = 'en' | 'zh-CN';
/** The cookie that keeps the language chosen with the switcher (or any `_locale` link). */
export const LOCALE_COOKIE = 'opal_locale';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** Maps a locale tag in any common spelling to a supported locale, or undefined. */
export function normalizeLocale(tag: string | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.trim().toLowerCase().replace('_', '-');
  if (t.startsWith('zh')) return 'zh-CN';
  if (t.startsWith('en')) return 'en';
  return undefined;
}

/** Picks the best supported locale from an Accept-Language header (q-values honoured). */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) {
    const l = normalizeLocale(r.tag);
    if (l) return l;
  }
  return undefined;
}

export function pickLocale(explicit: string | undefined, acceptLanguage: string | undefined): Locale {
  return normalizeLocale(explicit) ?? fromAcceptLanguage(acceptLanguage) ?? 'en';
}

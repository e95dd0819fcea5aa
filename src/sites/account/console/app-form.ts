// The app form of the developer console: name, redirect URIs (one per line or `;`-separated),
// scopes (one checkbox per known scope: `scope_<id>`) and flags (`flag_<name>`, each sent
// explicitly so that unticking a default-on flag turns it off). Problems come back as a message for
// the form; the service (services/apps.ts) still validates what it stores.
import { type AppFlags, FLAG_NAMES } from '../../../core/account/app-flags.ts';
import { unusableEntries } from '../../../core/account/redirect-explain.ts';

/** Scopes the pages can name (web/messages `scope.<id>`). */
export const KNOWN_SCOPES = [1, 2, 3, 4, 5, 6, 16000] as const;

/** Flags that are on unless set to false (app-flags.ts). */
const DEFAULT_ON: ReadonlyArray<keyof AppFlags> = ['allowImplicit', 'emitUserId'];

export function flagIsOn(flags: AppFlags, name: keyof AppFlags): boolean {
  const v = flags[name];
  return v === undefined ? DEFAULT_ON.includes(name) : v === true;
}

export interface AppForm {
  name: string;
  redirectUris: string;
  scopes: number[];
  flags: AppFlags;
}

export type FormBody = Record<string, string | undefined>;

/** `;`-joined entries from a textarea (lines or `;`), blanks dropped. */
export function joinRedirects(text: string): string {
  return text
    .split(/[\r\n;]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .join(';');
}

/** A message key of `console.problem` and its values. */
export interface Problem {
  key: 'name' | 'redirect' | 'redirectNone' | 'scopes' | 'other' | 'confirm';
  value?: string;
}

export function readAppForm(body: FormBody): { form: AppForm; problem?: Problem } {
  const flags: AppFlags = {};
  for (const f of FLAG_NAMES) flags[f] = body[`flag_${f}`] === 'on';
  const form: AppForm = {
    name: (body.name ?? '').trim().slice(0, 100),
    redirectUris: joinRedirects((body.redirectUris ?? '').slice(0, 4000)),
    scopes: KNOWN_SCOPES.filter((s) => body[`scope_${s}`] === 'on'),
    flags,
  };
  if (!form.name) return { form, problem: { key: 'name' } };
  if (!form.redirectUris) return { form, problem: { key: 'redirectNone' } };
  const bad = unusableEntries(form.redirectUris);
  if (bad[0] !== undefined) return { form, problem: { key: 'redirect', value: bad[0] } };
  if (form.scopes.length === 0) return { form, problem: { key: 'scopes' } };
  return { form };
}

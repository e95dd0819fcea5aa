// What a new password must be: 8 to 256 characters and not easy to guess, judged by zxcvbn
// (@zxcvbn-ts/core) with the common-password and name dictionaries of
// @zxcvbn-ts/language-common (the most used passwords of public breaches) and the person's own
// account name and addresses. The dictionaries load on first use.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 256;
/** zxcvbn score (0-4) a password needs. */
export const MIN_SCORE = 3;

export type PasswordProblem = 'short' | 'long' | 'common' | 'weak';

export interface PasswordVerdict {
  ok: boolean;
  /** 0-4. */
  score: number;
  problem: PasswordProblem | undefined;
}

let factory: Promise<ZxcvbnFactory> | undefined;

function load(): Promise<ZxcvbnFactory> {
  factory ??= (async () => {
    const [core, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new core.ZxcvbnFactory({
      dictionary: { ...common.dictionary },
      graphs: common.adjacencyGraphs,
      useLevenshteinDistance: true,
    });
  })();
  return factory;
}

/** Judges `password`; `userInputs` are the person's own words (account, e-mail, phone, brand). */
export async function judgePassword(password: string, userInputs: string[]): Promise<PasswordVerdict> {
  if (password.length > MAX_PASSWORD) return { ok: false, score: 0, problem: 'long' };
  const z = await load();
  const r = z.check(password, userInputs.filter(Boolean));
  const score = r.score;
  if (password.length < MIN_PASSWORD) return { ok: false, score: Math.min(score, 1), problem: 'short' };
  const common = r.sequence.some(
    (m) => m.pattern === 'dictionary' && 'dictionaryName' in m && String(m.dictionaryName).startsWith('passwords'),
  );
  if (score >= MIN_SCORE) return { ok: true, score, problem: undefined };
  return { ok: false, score, problem: common ? 'common' : 'weak' };
}

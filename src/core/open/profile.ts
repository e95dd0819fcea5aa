// `/user/profile` data (account-protocol §6.4): every key a string, never null. Avatar URLs come in
// the six variants real clients read; a user without an avatar gets Opal's default avatar.

export interface ProfileInput {
  unionId: string;
  nickname: string;
  /** The user's own avatar URL, or '' for none. */
  avatarUrl: string;
  userId: string;
  emitUserId: boolean;
}

export const AVATAR_SIZES = [75, 90, 120, 320] as const;
export type AvatarVariant = '' | '_75' | '_90' | '_120' | '_320' | '_orig';
export const AVATAR_VARIANTS: readonly AvatarVariant[] = ['', '_75', '_90', '_120', '_320', '_orig'];

/** URLs of Opal's default avatar on `origin` (e.g. http://host:8080): /avatar/default{variant}.png. */
export function defaultAvatarUrls(origin: string): Record<AvatarVariant, string> {
  const out = {} as Record<AvatarVariant, string>;
  for (const v of AVATAR_VARIANTS) out[v] = `${origin}/avatar/default${v}.png`;
  return out;
}

/** An avatar uploaded in the account center: stored as the path `/avatar/u/<key>.jpg` on this origin. */
const UPLOADED_RE = /^\/avatar\/u\/([A-Za-z0-9_-]{8,80})\.jpg$/;

/** The path of uploaded avatar `key`'s `variant` (`/avatar/u/<key><variant>.jpg`). */
export function uploadedAvatarPath(key: string, variant: AvatarVariant = ''): string {
  return `/avatar/u/${key}${variant}.jpg`;
}

/** The key of an uploaded avatar's stored path, or undefined for anything else. */
export function uploadedAvatarKey(avatarUrl: string): string | undefined {
  return UPLOADED_RE.exec(avatarUrl)?.[1];
}

/**
 * Avatar variants for a user. An uploaded avatar exists in every size, on `origin`. A custom
 * avatar is one URL the operator set; Opal cannot resize it, so every variant carries that same
 * (working) URL.
 */
export function avatarUrls(avatarUrl: string, origin: string): Record<AvatarVariant, string> {
  if (!avatarUrl) return defaultAvatarUrls(origin);
  const key = uploadedAvatarKey(avatarUrl);
  const out = {} as Record<AvatarVariant, string>;
  for (const v of AVATAR_VARIANTS) out[v] = key ? `${origin}${uploadedAvatarPath(key, v)}` : avatarUrl;
  return out;
}

/** `/user/profile` data, keys in wire order; userId only when the app emits it. */
export interface ProfileData {
  unionId: string;
  miliaoNick: string;
  miliaoIcon: string;
  miliaoIcon_75: string;
  miliaoIcon_90: string;
  miliaoIcon_120: string;
  miliaoIcon_320: string;
  miliaoIcon_orig: string;
  userId?: string;
}

export function profileData(p: ProfileInput, origin: string): ProfileData {
  const icons = avatarUrls(p.avatarUrl, origin);
  const data: ProfileData = {
    unionId: p.unionId,
    miliaoNick: p.nickname,
    miliaoIcon: icons[''],
    miliaoIcon_75: icons._75,
    miliaoIcon_90: icons._90,
    miliaoIcon_120: icons._120,
    miliaoIcon_320: icons._320,
    miliaoIcon_orig: icons._orig,
  };
  if (p.emitUserId) data.userId = p.userId;
  return data;
}

/** `/user/relation`: decimal ids joined by "," with no spaces; "" when none (§6.7). */
export function friendsString(ids: readonly string[]): string {
  return ids.join(',');
}

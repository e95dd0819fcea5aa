// Derived identifiers (account-protocol §2.3, §2.4): openId per (user, app), unionId per (user,
// developer), and the MAC key of an access token. All are keyed HMACs of the server secret, so they
// are stable, unguessable, and need no storage; all use the base64url alphabet only.
import { createHmac } from 'node:crypto';

function mac(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message, 'utf8').digest('base64url');
}

/** 40 characters, unique per (client, user). */
export function deriveOpenId(secret: string, clientId: string, userId: string): string {
  return mac(secret, `openid|${clientId}|${userId}`).slice(0, 40);
}

/** 40 characters, unique per (developer, user) — the shape of real union ids. */
export function deriveUnionId(secret: string, developerId: string, userId: string): string {
  return mac(secret, `unionid|${developerId}|${userId}`).slice(0, 40);
}

/** 27 characters (the shape of real mac keys), recomputable from the access token alone. */
export function deriveMacKey(secret: string, accessToken: string): string {
  return mac(secret, `mac|${accessToken}`).slice(0, 27);
}

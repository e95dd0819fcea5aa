// MAC verification of an open-API request (account-protocol §5.4): nonce format and time window,
// every candidate canonical string, and a replay check in the shared cache so that a nonce used on
// one node is refused on every node. The clock offset of a token's nonces (0, or the C# SDK's
// whole-15-minute time-zone error) is pinned in the shared cache by its first verified request.
import { hostCandidates, verifyMac } from '../../../core/account/mac-canonical.ts';
import type { MacHeader } from '../../../core/account/mac-header.ts';
import { type NonceWindow, nonceOffsetSteps, nonceWithinOffset, parseNonce, replayTtlMs } from '../../../core/account/mac-nonce.ts';
import { sha256Hex } from '../../../lib/hash.ts';
import type { Cache } from '../../../store/cache/cache.ts';
import type { OpenRequest } from './request.ts';

export type MacFailure = 'nonce-format' | 'nonce-time' | 'mac' | 'replay';

export interface MacCheckInput {
  header: MacHeader;
  macKey: string;
  request: OpenRequest;
  /** Configured public host names (config macHosts) plus any extra for the site. */
  publicHosts: readonly string[];
  window: NonceWindow;
  cache: Cache;
  now: number;
  /** How long a token's pinned clock offset is kept (until the token expires). */
  offsetTtlMs: number;
}

/**
 * The host names a client may have signed (account-protocol §5.4), in the order they are tried
 * (the search stops at the first match): each host the request arrived with (the host Fastify
 * derives from X-Forwarded-Host behind a trusted proxy, then the Host header as sent), without and
 * with its port, which the PHP, Python and iOS SDKs sign (and the Java SDK when its caller passes
 * the host it calls); then the configured public names (config macHosts, plus a site's own such
 * as the passbook host), which the Android and C# SDKs sign whatever their base URL. A client of
 * the second kind pays two or three more HMACs (about 1.3 µs each). This is the one place the MAC
 * host tolerance lives.
 */
export function macHosts(publicHosts: readonly string[], requestHosts: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of requestHosts) for (const h of hostCandidates([], raw)) if (!out.includes(h)) out.push(h);
  for (const h of hostCandidates(publicHosts, undefined)) if (!out.includes(h)) out.push(h);
  return out;
}

/** undefined when the request verifies (and its nonce is now spent), else why it failed. */
export async function checkMac(i: MacCheckInput): Promise<MacFailure | undefined> {
  const nonce = parseNonce(i.header.nonce);
  if (!nonce) return 'nonce-format';
  const steps = nonceOffsetSteps(nonce.minutes, i.now, i.window);
  if (steps === null) return 'nonce-time';
  const ok = verifyMac(i.macKey, i.header.nonce, i.header.mac, {
    method: i.request.method,
    path: i.request.path,
    params: i.request.params,
    rawQueryString: i.request.rawQueryString,
    hosts: macHosts(i.publicHosts, i.request.hosts),
  });
  if (!ok) return 'mac';
  // A token's clock offset is pinned by its first verified request: later nonces must match it,
  // so a nonce needs remembering only while it is within ±W of that offset.
  const tokenKey = sha256Hex(i.header.accessToken).slice(0, 32);
  const pinned = await i.cache.pin(`mac-offset:${tokenKey}`, steps, i.offsetTtlMs);
  if (!nonceWithinOffset(nonce.minutes, i.now, pinned, i.window)) return 'nonce-time';
  const fresh = await i.cache.spend(`mac-nonce:${tokenKey}:${i.header.nonce}`, replayTtlMs(nonce.minutes, i.now, i.window, pinned));
  return fresh ? undefined : 'replay';
}

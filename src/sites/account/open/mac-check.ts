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

/** undefined when the request verifies (and its nonce is now spent), else why it failed. */
export async function checkMac(i: MacCheckInput): Promise<MacFailure | undefined> {
  const nonce = parseNonce(i.header.nonce);
  if (!nonce) return 'nonce-format';
  const steps = nonceOffsetSteps(nonce.minutes, i.now, i.window);
  if (steps === null) return 'nonce-time';
  const hosts: string[] = [];
  for (const h of [...i.publicHosts]) if (!hosts.includes(h)) hosts.push(h);
  for (const raw of i.request.hosts) for (const h of hostCandidates([], raw)) if (!hosts.includes(h)) hosts.push(h);
  const ok = verifyMac(i.macKey, i.header.nonce, i.header.mac, {
    method: i.request.method,
    path: i.request.path,
    params: i.request.params,
    rawQueryString: i.request.rawQueryString,
    hosts,
  });
  if (!ok) return 'mac';
  // A token's clock offset is pinned by its first verified request: later nonces must match it,
  // so a nonce needs remembering only while it is within ±W of that offset.
  const tokenKey = sha256Hex(i.header.accessToken).slice(0, 32);
  const offsetKey = `mac-offset:${tokenKey}`;
  await i.cache.setIfAbsent(offsetKey, String(steps), i.offsetTtlMs);
  const pinned = Number((await i.cache.get(offsetKey)) ?? steps);
  if (!nonceWithinOffset(nonce.minutes, i.now, pinned, i.window)) return 'nonce-time';
  const fresh = await i.cache.setIfAbsent(
    `mac-nonce:${tokenKey}:${i.header.nonce}`,
    '1',
    replayTtlMs(nonce.minutes, i.now, i.window, pinned),
  );
  return fresh ? undefined : 'replay';
}

// MAC verification of an open-API request (account-protocol §5.4): nonce format and time window,
// every candidate canonical string, and a replay check in the shared cache so that a nonce used on
// one node is refused on every node.
import { hostCandidates, verifyMac } from '../core/account/mac-canonical.ts';
import type { MacHeader } from '../core/account/mac-header.ts';
import { type NonceWindow, nonceTimeOk, parseNonce, replayTtlMs } from '../core/account/mac-nonce.ts';
import { sha256Hex } from '../lib/hash.ts';
import type { Cache } from '../store/cache/cache.ts';
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
}

/** undefined when the request verifies (and its nonce is now spent), else why it failed. */
export async function checkMac(i: MacCheckInput): Promise<MacFailure | undefined> {
  const nonce = parseNonce(i.header.nonce);
  if (!nonce) return 'nonce-format';
  if (!nonceTimeOk(nonce.minutes, i.now, i.window)) return 'nonce-time';
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
  const key = `mac-nonce:${sha256Hex(i.header.accessToken).slice(0, 32)}:${i.header.nonce}`;
  const fresh = await i.cache.setIfAbsent(key, '1', replayTtlMs(nonce.minutes, i.now, i.window));
  return fresh ? undefined : 'replay';
}

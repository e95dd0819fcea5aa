// Whose failure budget a token request spends (client-failures.ts). The OAuth playground exchanges
// codes over HTTP from this server's own address (playground/self-client.ts), so by address every
// developer's playground would share one budget and one developer's failed exchanges could lock out
// the rest. Its requests carry a header naming the developer, signed with a key derived from the
// server secret (only this deployment can make one), and spend that developer's budget instead.
// The pass is honoured only on a connection from this host to itself (the playground connects to
// the local address its page request came in on, playground/self-client.ts), so a pass seen
// elsewhere (a proxy log) is worth nothing from another address; any other request spends its
// address's budget, as before.
import type { FastifyRequest } from 'fastify';
import { hmacSha256Hex, safeEqual } from '../../../lib/hash.ts';

export const PLAYGROUND_HEADER = 'x-opal-playground';

const sign = (serverSecret: string, userId: string) => hmacSha256Hex(serverSecret, `opal playground token budget\n${userId}`);

/** The header value for the playground exchanges of `userId`. */
export function playgroundPass(serverSecret: string, userId: string): string {
  return `${userId}.${sign(serverSecret, userId)}`;
}

/** `playground:<userId>` for a request with a valid pass, else the client's address. */
export function budgetKeyOf(req: FastifyRequest, serverSecret: string | undefined): string {
  const pass = req.headers[PLAYGROUND_HEADER];
  if (serverSecret === undefined || typeof pass !== 'string' || !fromItself(req)) return req.ip;
  const dot = pass.lastIndexOf('.');
  const userId = pass.slice(0, dot);
  return dot > 0 && safeEqual(pass.slice(dot + 1), sign(serverSecret, userId)) ? `playground:${userId}` : req.ip;
}

/** The connection comes from this host's own address to itself (the playground's self-client). */
function fromItself(req: FastifyRequest): boolean {
  const { remoteAddress, localAddress } = req.socket;
  return remoteAddress !== undefined && remoteAddress === localAddress;
}

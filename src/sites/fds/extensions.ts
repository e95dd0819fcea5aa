// Operations other features implement on the FDS origin (issue 6: the OAuth storage-token
// exchange `GET /?storageAccessToken&oauthAccessToken=…`, developer info). A handler listed here
// replaces the built-in answer for that operation. `skipAuth` operations run before authentication.
import type { FdsCall } from './call.ts';
import { exchangeStorageToken } from './storage-token-exchange.ts';

export type FdsHandler = (c: FdsCall) => Promise<void>;

export const EXTRA_HANDLERS: Partial<Record<string, { handler: FdsHandler; skipAuth?: boolean }>> = {
  getStorageToken: { handler: exchangeStorageToken, skipAuth: true },
};

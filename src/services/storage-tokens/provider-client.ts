// Sends a provider's verification requests with Node's fetch: a timeout per call, redirects not
// followed, and the reply body read up to a size cap (a provider reply is a few hundred bytes).
import type { ProviderReply, ProviderRequest } from '../../core/fds/oauth-providers/index.ts';

const MAX_BODY = 64 * 1024;

export class ProviderUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnreachableError';
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY) {
      await reader.cancel();
      throw new ProviderUnreachableError(`reply larger than ${MAX_BODY} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function sendProviderRequest(req: ProviderRequest, timeoutMs: number): Promise<ProviderReply> {
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: { accept: 'application/json, text/plain, */*', ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
      redirect: 'manual',
      signal,
    });
    return { status: res.status, body: await readCapped(res) };
  } catch (e) {
    if (e instanceof ProviderUnreachableError) throw e;
    const name = (e as Error).name;
    throw new ProviderUnreachableError(
      name === 'TimeoutError' || name === 'AbortError' ? `no reply within ${timeoutMs} ms` : 'connection failed',
    );
  }
}

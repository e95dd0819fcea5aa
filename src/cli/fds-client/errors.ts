// A request the FDS server refused: its HTTP status and the description from the body (§10).

export class FdsError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly requestId?: string,
  ) {
    super(`FDS ${status}: ${description || 'no description'}${requestId ? ` (request ${requestId})` : ''}`);
    this.name = 'FdsError';
  }
}

/** The transfer finished but the bytes do not match their MD5. */
export class ChecksumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumError';
  }
}

/** Extracts the description from an error body: the `message` of a JSON body, else the text. */
export function describeErrorBody(text: string): string {
  const t = text.trim();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as { message?: unknown; error?: unknown };
      if (typeof j.message === 'string') return j.message;
      if (typeof j.error === 'string') return j.error;
    } catch {
      /* plain text */
    }
  }
  return t.length > 500 ? `${t.slice(0, 500)}…` : t;
}

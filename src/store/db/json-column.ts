// JSON columns: repositories store objects as JSON text and return them parsed, so services never
// see the text. A value that does not parse is an error (a corrupt row must not read as defaults).

export function toJsonColumn(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJsonColumn<T>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`column ${column} holds malformed JSON`);
  }
}

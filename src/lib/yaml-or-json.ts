// A configuration document in YAML or JSON, with the line of any place in it, so that an error
// about the file names where to look. The format comes from the extension (.yaml/.yml, .json) or,
// for any other name, from the content: a document that starts with `{` or `[` is JSON.
// The YAML parser is loaded on the first document, not with the server: only a seed file needs it
// (with nodemailer and jose, about 4 MiB of an idle server's memory; bench/README.md, "Memory: the
// allocator, SQLite's cache").
import type { Node } from 'yaml';

export type DocFormat = 'json' | 'yaml';

export interface ParsedDoc {
  format: DocFormat;
  data: unknown;
  /** The line (1-based) of the value at a JSON pointer (`/users/0/password`), or of its nearest existing parent. */
  lineOf(pointer: string): number;
}

/** A document that cannot be parsed; the message names the line. */
export class DocSyntaxError extends Error {}

export function formatOf(path: string, text: string): DocFormat {
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  if (/\.json$/i.test(path)) return 'json';
  return /^\uFEFF?\s*[{[]/.test(text) ? 'json' : 'yaml';
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, Math.max(0, offset)).split('\n').length;
}

export async function parseDoc(path: string, text: string): Promise<ParsedDoc> {
  const { isMap, isSeq, LineCounter, parseDocument } = await import('yaml');
  const format = formatOf(path, text);
  let data: unknown;
  if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const pos = /at position (\d+)/.exec(msg)?.[1];
      const line = pos === undefined ? lineAt(text, text.length) : lineAt(text, Number(pos));
      throw new DocSyntaxError(`line ${line}: ${msg}`);
    }
  }
  // JSON is YAML too: the YAML tree locates a pointer in either.
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (format === 'yaml') {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0].line ?? lineAt(text, err.pos[0]);
      throw new DocSyntaxError(`line ${line}: ${err.message.split('\n')[0]}`);
    }
    data = doc.toJS({ maxAliasCount: 100 });
  }
  const root = doc.errors.length === 0 ? doc.contents : null;
  return {
    format,
    data,
    lineOf(pointer) {
      let node: unknown = root;
      let at = (root as Node | null)?.range?.[0] ?? 0;
      for (const raw of pointer.split('/').slice(1)) {
        const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        const next = isSeq(node) ? node.get(Number(key), true) : isMap(node) ? node.get(key, true) : undefined;
        if (next === undefined || next === null) break;
        node = next;
        at = (next as Node).range?.[0] ?? at;
      }
      return counter.linePos(at).line;
    },
  };
}

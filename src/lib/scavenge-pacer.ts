// Asks V8 for a scavenge (a collection of the young generation only) after every SCAVENGE_EVERY
// bytes of uploaded bodies (counted in store/blobs/counting-hash.ts, which the uploads to files and
// S3 objects pass through).
//
// Each piece of a request body is a new external buffer: node's HTTP parser copies it out of its
// read buffer. V8 counts the external bytes allocated since its last full collection against the
// old generation's limit, which bin/heap-flags.js keeps at 1.5 × what survived. Scavenges come
// with allocation in the young generation (2 × 4 MiB at most, young-generation.ts), of which an
// upload makes little, so between two of them the pieces of large uploads, though long let go,
// used up most of that headroom: under FDS PUT 1 MiB at 50 connections V8 ran three or four full
// collections a second (each ~10 ms on the event loop, and tens of ms of marking on its own
// threads) where one would have done. A scavenge after every 4 MiB frees the pieces while they are
// young; it costs about a millisecond (bench/README.md, issue 10).
//
// A scavenge can be asked for only through V8's `gc` function, which `--expose-gc` installs in
// contexts created after it is set: one is created, once, at the first pace that needs it. Node
// does not promise what flags set at run time do; the flag stays set for the process, so a `vm`
// context or worker made later would have `gc` too (Opal makes none). Where getting the function
// fails (another engine, a later node), nothing is asked for.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Uploaded bytes between two scavenges asked for. */
export const SCAVENGE_EVERY = 4 * 1024 * 1024;

type Collect = (options: { type: 'minor'; execution: 'async' }) => void;

let since = 0;
let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Counts `bytes` of an uploaded body; past SCAVENGE_EVERY since the last one, asks for a scavenge. */
export function paceUpload(bytes: number): void {
  since += bytes;
  if (since < SCAVENGE_EVERY) return;
  since = 0;
  // Asynchronous: V8 runs it as its next task, not inside this call.
  collector()?.({ type: 'minor', execution: 'async' });
}

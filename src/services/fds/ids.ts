// Generated identifiers: blob keys (never user input), version ids (URL-safe, sortable by creation:
// newest is greatest), upload ids and server-generated object names.
import { randomBytes, randomUUID } from 'node:crypto';
import { newCredential } from '../../lib/random.ts';

let lastMs = 0;
let counter = 0;

const HEX = '0123456789abcdef';

/**
 * A blob key: one of 256 prefixes (`0a0b`, the filesystem store's directories `0a/0b`), then 24
 * random bytes. Few directories, so uploads rarely create one and often share a directory sync
 * (docs/storage.md, "Filesystem blobs").
 */
export function newBlobKey(): string {
  const r = randomBytes(1)[0] ?? 0;
  return `0${HEX[r >> 4]}0${HEX[r & 15]}${newCredential(24)}`;
}

/** 9 base-36 chars of ms, 4 of a per-ms counter, 8 random hex: sorts by creation within a node. */
export function newVersionId(now: number = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}

export function newUploadId(): string {
  return randomUUID();
}

export function newObjectName(): string {
  return randomUUID();
}

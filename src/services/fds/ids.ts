// Generated identifiers: blob keys (never user input), version ids (URL-safe, sortable by creation:
// newest is greatest), upload ids and server-generated object names.
import { randomUUID } from 'node:crypto';
import { newCredential, randomString } from '../../lib/random.ts';

let lastMs = 0;
let counter = 0;

/**
 * A blob key: one of 256 prefixes (`0a0b`, the filesystem store's directories `0a/0b`), then 24
 * random bytes. Few directories, so uploads rarely create one and often share a directory sync
 * (docs/storage.md, "Filesystem blobs").
 */
export function newBlobKey(): string {
  const prefix = randomString(1, 'hex');
  return `0${prefix[0]}0${prefix[1]}${newCredential(24)}`;
}

/** 9 base-36 chars of ms, 4 of a per-ms counter, 8 random hex: sorts by creation within a node. */
export function newVersionId(now: number = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${now.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomString(4, 'hex')}`;
}

export function newUploadId(): string {
  return randomUUID();
}

export function newObjectName(): string {
  return randomUUID();
}

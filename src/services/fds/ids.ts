// Generated identifiers: blob keys (never user input), version ids (URL-safe, sortable by creation:
// newest is greatest), upload ids and server-generated object names.
import { randomBytes, randomUUID } from 'node:crypto';
import { newCredential } from '../../lib/random.ts';

let lastMs = 0;
let counter = 0;

export function newBlobKey(): string {
  return newCredential(24);
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

// Master keys of blob encryption from configuration (docs/configuration.md): 32 bytes written as
// 64 hex digits or base64 (standard or URL-safe), given inline or in a file (trailing newline ok).
import { readFileSync } from 'node:fs';
import { type MasterKey, masterKeyOf } from './blob-cipher.ts';
import type { Keyring } from './encrypted-blob-store.ts';

/** The 32 key bytes of a written key; throws with a message naming `what`. */
export function parseKeyText(text: string, what: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  throw new Error(`${what}: expected 32 bytes as 64 hex digits or base64`);
}

/** A key given inline or by file (not both); undefined when neither is set. */
export function loadKey(inline: string | undefined, file: string | undefined, name: string): MasterKey | undefined {
  if (inline !== undefined && file !== undefined) throw new Error(`${name} and ${name}_FILE: set one, not both`);
  if (inline !== undefined) return masterKeyOf(parseKeyText(inline, name));
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${name}_FILE: cannot read ${file}: ${(e as Error).message}`);
  }
  return masterKeyOf(parseKeyText(text, `${name}_FILE (${file})`));
}

export interface BlobKeySettings {
  blobEncryptionKey: string | undefined;
  blobEncryptionKeyFile: string | undefined;
  blobEncryptionOldKey: string | undefined;
  blobEncryptionOldKeyFile: string | undefined;
}

/** The keyring the settings describe, or undefined when encryption is off; throws on bad keys. */
export function keyringOf(s: BlobKeySettings): Keyring | undefined {
  const current = loadKey(s.blobEncryptionKey, s.blobEncryptionKeyFile, 'OPAL_BLOB_ENCRYPTION_KEY');
  const old = loadKey(s.blobEncryptionOldKey, s.blobEncryptionOldKeyFile, 'OPAL_BLOB_ENCRYPTION_OLD_KEY');
  if (!current) {
    if (old) throw new Error('OPAL_BLOB_ENCRYPTION_OLD_KEY needs OPAL_BLOB_ENCRYPTION_KEY (the key rotated to)');
    return undefined;
  }
  return { current, previous: old && !old.id.equals(current.id) ? [old] : [] };
}

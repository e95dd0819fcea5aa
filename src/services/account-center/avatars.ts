// Avatar upload: any image sharp reads (JPEG, PNG, WebP, GIF, AVIF…) becomes a square JPEG in every
// size variant the open APIs serve (core/open/profile.ts: 320 px for miliaoIcon, 75, 90, 120, 320,
// and _orig at up to 1024 px), metadata stripped, stored under a fresh key so that a new upload
// gets new URLs (the old ones stop). The user's avatar is then the path of the key. The decoding and
// resizing go through the process's image gate (lib/gate.ts, shared with FDS image operations): a
// few at once, a bounded line, and BusyError beyond it (503 for the caller), so concurrent uploads
// cannot hold an unbounded number of decoded images.
import { randomBytes } from 'node:crypto';
import { AVATAR_VARIANTS, type AvatarVariant, uploadedAvatarKey, uploadedAvatarPath } from '../../core/open/profile.ts';
import { BusyError, InvalidInputError } from '../../lib/errors.ts';
import type { Gate } from '../../lib/gate.ts';
import { loadSharp } from '../../lib/load-sharp.ts';
import type { AvatarRow, AvatarsRepo } from '../../store/db/avatars-repo.ts';
import type { AuditService } from '../audit.ts';
import type { User, UserService } from '../users.ts';

/** Largest upload accepted (bytes). */
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
/** Largest source image (pixels), refused before decoding it whole. */
const MAX_PIXELS = 40_000_000;
const SIZES: Record<AvatarVariant, number> = { '': 320, _75: 75, _90: 90, _120: 120, _320: 320, _orig: 1024 };

export class AvatarService {
  constructor(private readonly d: { repo: AvatarsRepo; users: UserService; audit: AuditService; gate: Gate; now?: () => number }) {}

  /** Processes and stores `image` as the user's avatar; refuses what is not a readable image. */
  async upload(user: User, image: Buffer, ip?: string): Promise<User> {
    if (image.length === 0) throw new InvalidInputError('choose an image file');
    if (image.length > AVATAR_MAX_BYTES) throw new InvalidInputError('the image is larger than 5 MB');
    const rows = await this.d.gate.run(
      () => this.variants(user, image),
      () => new BusyError('too many images are being processed; try again shortly'),
    );
    await this.d.repo.replace(user.userId, rows);
    const updated = await this.d.users.update(user.userId, { avatarUrl: uploadedAvatarPath(rows[0]?.avatar_key ?? '') });
    await this.d.audit.record({ type: 'account.avatar_set', actor: user.userId, subject: user.userId, ip });
    return updated;
  }

  /** Every size variant of `image`, under a fresh key; refuses what is not a readable image. */
  private async variants(user: User, image: Buffer): Promise<AvatarRow[]> {
    const sharp = await loadSharp();
    let side: number;
    try {
      const meta = await sharp(image, { limitInputPixels: MAX_PIXELS }).metadata();
      if (!meta.width || !meta.height) throw new Error('no size');
      side = Math.min(meta.width, meta.height);
    } catch {
      throw new InvalidInputError('the file is not an image that can be read');
    }
    // Digits, a dash and hex: never ends like a variant suffix.
    const key = `${user.userId}-${randomBytes(8).toString('hex')}`;
    const now = (this.d.now ?? Date.now)();
    const rows: AvatarRow[] = [];
    for (const variant of AVATAR_VARIANTS) {
      const size = Math.min(SIZES[variant], variant === '_orig' ? side : SIZES[variant]);
      const jpeg = await sharp(image, { limitInputPixels: MAX_PIXELS })
        .rotate()
        .resize(size, size, { fit: 'cover', position: 'attention' })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 85, mozjpeg: true })
        .toBuffer();
      rows.push({
        avatar_key: key,
        variant,
        user_id: user.userId,
        content_type: 'image/jpeg',
        content: jpeg.toString('base64'),
        created_at: now,
      });
    }
    return rows;
  }

  /** Back to the default avatar. */
  async remove(user: User, ip?: string): Promise<User> {
    const updated = await this.d.users.update(user.userId, { avatarUrl: '' });
    await this.d.repo.deleteByUser(user.userId);
    await this.d.audit.record({ type: 'account.avatar_removed', actor: user.userId, subject: user.userId, ip });
    return updated;
  }

  /** A stored variant (`name`: `<key><variant>`), or undefined. */
  async read(name: string): Promise<{ type: string; bytes: Buffer } | undefined> {
    const m = /^(.+?)(_75|_90|_120|_320|_orig)?$/.exec(name);
    const key = m?.[1] ? uploadedAvatarKey(uploadedAvatarPath(m[1])) : undefined;
    if (!key) return undefined;
    const row = await this.d.repo.get(key, m?.[2] ?? '');
    return row ? { type: row.content_type, bytes: Buffer.from(row.content, 'base64') } : undefined;
  }
}

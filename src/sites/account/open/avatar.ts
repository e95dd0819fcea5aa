// Opal's default avatar in every size variant of account-protocol §6.4:
// GET /avatar/default.png, /avatar/default_75.png, _90, _120, _320, _orig.
import type { FastifyInstance } from 'fastify';
import { AVATAR_VARIANTS, type AvatarVariant } from '../../../core/open/profile.ts';
import { defaultAvatarPng } from './default-avatar.ts';

export async function avatarRoutes(app: FastifyInstance): Promise<void> {
  for (const variant of AVATAR_VARIANTS) {
    app.get(`/avatar/default${variant}.png`, async (_req, reply) =>
      reply
        .type('image/png')
        .header('cache-control', 'public, max-age=86400')
        .header('access-control-allow-origin', '*')
        .send(defaultAvatarPng(variant as AvatarVariant)),
    );
  }
}

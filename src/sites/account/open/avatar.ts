// Opal's default avatar in every size variant of account-protocol §6.4:
// GET /avatar/default.png, /avatar/default_75.png, _90, _120, _320, _orig. Public and cacheable.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AVATAR_VARIANTS } from '../../../core/open/profile.ts';
import { typed } from '../../../http/typed.ts';
import { defaultAvatarPng } from './default-avatar.ts';

export async function avatarRoutes(scope: FastifyInstance): Promise<void> {
  const app = typed(scope);
  for (const variant of AVATAR_VARIANTS) {
    app.get(
      `/avatar/default${variant}.png`,
      { schema: { response: { 200: Type.Unsafe<Buffer>({ description: 'PNG image' }) } } },
      async (_req, reply) =>
        reply
          .type('image/png')
          .header('cache-control', 'public, max-age=86400')
          .header('access-control-allow-origin', '*')
          .send(defaultAvatarPng(variant)),
    );
  }
}

// The admin HTTP API on the account origin (docs/admin-api.md): /api/admin/v1/…, JSON in and out,
// its own JSON error family ({"error","message"}), authenticated by admin API tokens or the console
// session (auth.ts). Admin-only
// routes (users, roles, developers, every app, audit log, status) and developer routes (the
// caller's own apps, FDS keys and buckets) are separate scopes, each requiring its role.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { noStore } from '../../../http/hooks.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../../lib/errors.ts';
import { registerCookies } from '../../../web/setup.ts';
import { ApiError, jsonErrors } from '../json-errors.ts';
import { adminAppRoutes } from './apps.ts';
import { requireRole } from './auth.ts';
import { developerRoutes } from './developer.ts';
import { adminUserRoutes } from './users.ts';

export const ADMIN_API_PREFIX = '/api/admin/v1';

/** Service refusals in the admin API's shape. */
function translate(err: unknown): ApiError | undefined {
  if (err instanceof InvalidInputError) return new ApiError(400, 'invalid_request', err.message);
  if (err instanceof NotFoundError) return new ApiError(404, 'not_found', err.message);
  if (err instanceof ConflictError) return new ApiError(409, 'conflict', err.message);
  return undefined;
}

export async function adminApiRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  scope.addHook('onRequest', noStore);
  await registerCookies(scope);
  useErrorFamily(
    scope,
    jsonErrors({
      name: 'admin API',
      descriptionKey: 'message',
      translate,
      fromFault: (f) =>
        f.kind === 'validation'
          ? new ApiError(400, 'invalid_request', f.message)
          : new ApiError(f.statusCode, 'invalid_request', 'the body must be a JSON object'),
    }),
  );
  await scope.register(
    async (admin) => {
      requireRole(admin, ctx, 'admin');
      await adminUserRoutes(admin, ctx);
      await adminAppRoutes(admin, ctx);
    },
    { prefix: ADMIN_API_PREFIX },
  );
  await scope.register(
    async (dev) => {
      requireRole(dev, ctx, 'developer');
      await developerRoutes(dev, ctx);
    },
    { prefix: ADMIN_API_PREFIX },
  );
  // Unknown paths under the prefix answer in this family, not Fastify's default 404.
  await scope.register(
    async (rest) => {
      rest.setNotFoundHandler(() => {
        throw new ApiError(404, 'not_found', 'no such admin API endpoint');
      });
    },
    { prefix: ADMIN_API_PREFIX },
  );
}

// The open APIs on the account origin: the user-data APIs and the passbook holder's get_pass, in one
// scope whose bodies are kept as sent (MAC verification), whose answers are never cached and are
// readable cross-origin through GET, and whose errors are open-API envelopes (errors.ts).
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../../context.ts';
import { useErrorFamily } from '../../../http/errors.ts';
import { anyOriginOnGet, noStore } from '../../../http/hooks.ts';
import { firstValueOfRepeats } from '../../../http/params.ts';
import { typed } from '../../../http/typed.ts';
import { keepRawBodies } from '../client-quirks.ts';
import { getPassRoutes } from '../passbook/get-pass.ts';
import { openApiErrors } from './errors.ts';
import { userRoutes } from './routes.ts';

export async function openRoutes(scope: FastifyInstance, ctx: Context): Promise<void> {
  keepRawBodies(scope); // before firstValueOfRepeats: an absent body reads as '', not {}
  scope.addHook('preValidation', firstValueOfRepeats);
  scope.addHook('onRequest', noStore);
  scope.addHook('onRequest', anyOriginOnGet);
  useErrorFamily(
    scope,
    openApiErrors(() => ctx.config.openApiErrorStatus),
  );
  const app = typed(scope);
  await userRoutes(app, ctx);
  await getPassRoutes(app, ctx);
}

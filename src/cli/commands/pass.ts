// `opal pass …`: passbook plans and passes (served to holders by GET /app/get_pass).
import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { fields, table, withContext } from '../run.ts';
import { findUser, USER_REF_HELP } from '../user-ref.ts';

function date(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d{1,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidInputError(`${name}: expected an ISO 8601 date or epoch milliseconds, got "${v}"`);
  return t;
}

const iso = (ms: number) => (ms ? new Date(ms).toISOString() : '');

export function registerPass(program: Command): void {
  const pass = program.command('pass').description('passbook: pass plans and the passes apps issue to users or devices');
  const plan = pass.command('plan').description('pass plans (a coupon or card an app offers)');

  plan
    .command('create')
    .description('create a pass plan for an app; prints its planId')
    .requiredOption('--app <clientId>', 'the app offering the plan')
    .requiredOption('--title <title>', 'title shown to holders')
    .option('--description <text>', 'description', '')
    .option('--logo <url>', 'logo URL')
    .option('--start <date>', 'valid from (ISO 8601 or epoch ms; default now)')
    .option('--end <date>', 'valid until (ISO 8601 or epoch ms; default one year after the start)')
    .action(async (o: { app: string; title: string; description: string; logo?: string; start?: string; end?: string }, cmd: Command) => {
      await withContext(
        cmd,
        (ctx) =>
          ctx.services.passbook.createPlan({
            clientId: o.app,
            title: o.title,
            description: o.description,
            logoUrl: o.logo,
            validStartDate: date(o.start, '--start'),
            validEndDate: date(o.end, '--end'),
          }),
        (p) => `created pass plan ${p.planId} (${p.title}) for app ${p.clientId}`,
      );
    });

  plan
    .command('list')
    .description('list pass plans')
    .option('--app <clientId>', 'only plans of this app')
    .action(async (o: { app?: string }, cmd: Command) => {
      await withContext(
        cmd,
        (ctx) => ctx.services.passbook.plans(o.app),
        (rows) =>
          table(
            rows.map((p) => ({ ...p, validStartDate: iso(p.validStartDate), validEndDate: iso(p.validEndDate) })),
            ['planId', 'clientId', 'title', 'validStartDate', 'validEndDate'],
          ),
      );
    });

  pass
    .command('issue')
    .description('issue a pass of a plan to a user, a device, or a user on a device')
    .requiredOption('--plan <planId>', 'the pass plan')
    .option('--user <user>', `holder: ${USER_REF_HELP}`)
    .option('--imei <imei>', "holder device's IMEI (stored as its MD5 hash)")
    .option('--imei-md5 <hex>', "holder device's IMEI as MD5 hex")
    .option('--code <passCode>', 'the pass code (default: none)')
    .action(async (o: { plan: string; user?: string; imei?: string; imeiMd5?: string; code?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const pb = ctx.services.passbook;
          const p = await pb.plan(o.plan);
          const user = o.user ? (await findUser(ctx, o.user)).userId : undefined;
          return pb.issue({ clientId: p.clientId, planId: p.planId, user, imei: o.imei, imeiMd5: o.imeiMd5, passCode: o.code });
        },
        (p) =>
          `issued pass ${p.passId} of plan ${p.planId}${p.userId ? ` to user ${p.userId}` : ''}${p.imeiMd5 ? ` on device ${p.imeiMd5}` : ''}`,
      );
    });

  pass
    .command('list')
    .description('list passes')
    .option('--app <clientId>', 'only passes of this app')
    .option('--user <user>', `only passes of this holder (${USER_REF_HELP})`)
    .option('--plan <planId>', 'only passes of this plan')
    .option('--all', 'include revoked passes')
    .action(async (o: { app?: string; user?: string; plan?: string; all?: boolean }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          const userId = o.user ? (await findUser(ctx, o.user)).userId : undefined;
          return ctx.services.passbook.passes({
            ...(o.app ? { clientId: o.app } : {}),
            ...(userId ? { userId } : {}),
            ...(o.plan ? { planId: o.plan } : {}),
            includeRevoked: Boolean(o.all),
          });
        },
        (rows) =>
          table(
            rows.map((p) => ({ ...p, revokedAt: iso(p.revokedAt) })),
            ['passId', 'planId', 'clientId', 'userId', 'imeiMd5', 'passCode', 'revokedAt'],
          ),
      );
    });

  pass
    .command('revoke')
    .description('revoke a pass (it disappears from /app/get_pass)')
    .argument('<passId>')
    .action(async (passId: string, _o: unknown, cmd: Command) => {
      await withContext(
        cmd,
        (ctx) => ctx.services.passbook.revoke(passId),
        (p) => fields({ passId: p.passId, revokedAt: iso(p.revokedAt) }),
      );
    });
}

// Passbook: apps define pass plans and issue passes to users or devices; holders read them with
// /app/get_pass. Plan and pass ids are decimal strings; everything an app touches is its own.
import { imeiMd5, MAX_DESCRIPTION, MAX_PASS_CODE, MAX_TITLE, parseImeiMd5, type WirePass } from '../core/passbook/pass.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../lib/errors.ts';
import { randomDigits } from '../lib/random.ts';
import type { PassbookRepo, PassPlanRow, PassRow } from '../store/db/passbook-repo.ts';
import type { App, AppService } from './apps.ts';
import type { AuditService } from './audit.ts';
import type { UserService } from './users.ts';

export interface PassPlan {
  planId: string;
  clientId: string;
  title: string;
  description: string;
  logoUrl: string;
  validStartDate: number;
  validEndDate: number;
  createdAt: number;
}

export interface Pass {
  passId: string;
  planId: string;
  clientId: string;
  /** '' for a device-only pass. */
  userId: string;
  /** '' when not bound to a device. */
  imeiMd5: string;
  passCode: string;
  createdAt: number;
  /** Epoch ms; 0 while the pass is live. */
  revokedAt: number;
}

export interface PlanInput {
  clientId: string;
  title: string;
  description?: string | undefined;
  logoUrl?: string | undefined;
  /** Epoch ms; default now. */
  validStartDate?: number | undefined;
  /** Epoch ms; default one year after the start. */
  validEndDate?: number | undefined;
}

export interface IssueInput {
  clientId: string;
  planId: string;
  /** userId, account, email or phone of the holder. */
  user?: string | undefined;
  /** Raw device IMEI (hashed here) … */
  imei?: string | undefined;
  /** … or its MD5 hex. */
  imeiMd5?: string | undefined;
  passCode?: string | undefined;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

const toPlan = (r: PassPlanRow): PassPlan => ({
  planId: r.plan_id,
  clientId: r.client_id,
  title: r.title,
  description: r.description,
  logoUrl: r.logo_url,
  validStartDate: r.valid_start,
  validEndDate: r.valid_end,
  createdAt: r.created_at,
});

const toPass = (r: PassRow): Pass => ({
  passId: r.pass_id,
  planId: r.plan_id,
  clientId: r.client_id,
  userId: r.user_id ?? '',
  imeiMd5: r.imei_md5 ?? '',
  passCode: r.pass_code,
  createdAt: r.created_at,
  revokedAt: r.revoked_at ?? 0,
});

function checkUrl(u: string): void {
  try {
    const p = new URL(u);
    if (p.protocol !== 'http:' && p.protocol !== 'https:') throw new Error();
  } catch {
    throw new InvalidInputError('logoUrl must be an absolute http(s) URL');
  }
}

export class PassbookService {
  constructor(
    private readonly repo: PassbookRepo,
    private readonly apps: AppService,
    private readonly users: UserService,
    private readonly audit: AuditService,
    private readonly now: () => number = Date.now,
  ) {}

  private async app(clientId: string): Promise<App> {
    return this.apps.require(clientId);
  }

  async createPlan(input: PlanInput): Promise<PassPlan> {
    await this.app(input.clientId);
    const title = input.title.trim();
    if (!title || title.length > MAX_TITLE) throw new InvalidInputError(`title must be 1-${MAX_TITLE} characters`);
    const description = input.description ?? '';
    if (description.length > MAX_DESCRIPTION) throw new InvalidInputError(`description is limited to ${MAX_DESCRIPTION} characters`);
    if (input.logoUrl) checkUrl(input.logoUrl);
    const now = this.now();
    const start = input.validStartDate ?? now;
    const end = input.validEndDate ?? start + YEAR_MS;
    for (const [name, v] of [
      ['validStartDate', start],
      ['validEndDate', end],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new InvalidInputError(`${name} must be epoch milliseconds`);
    }
    if (end <= start) throw new InvalidInputError('validEndDate must be after validStartDate');
    const row: PassPlanRow = {
      plan_id: randomDigits(12),
      client_id: input.clientId,
      title,
      description,
      logo_url: input.logoUrl ?? '',
      valid_start: start,
      valid_end: end,
      created_at: now,
    };
    await this.repo.insertPlan(row);
    await this.audit.record({ type: 'passbook.plan.create', clientId: input.clientId, detail: { planId: row.plan_id } });
    return toPlan(row);
  }

  async plans(clientId?: string): Promise<PassPlan[]> {
    return (await this.repo.plans(clientId)).map(toPlan);
  }

  /** The plan, if it exists and (when clientId is given) belongs to that app. */
  async plan(planId: string, clientId?: string): Promise<PassPlan> {
    const r = await this.repo.plan(planId);
    if (!r || (clientId && r.client_id !== clientId)) throw new NotFoundError(`no pass plan ${planId}`);
    return toPlan(r);
  }

  async issue(input: IssueInput): Promise<Pass> {
    const plan = await this.plan(input.planId, input.clientId);
    let userId: string | null = null;
    if (input.user) {
      const u = await this.users.find(input.user);
      if (!u) throw new NotFoundError(`no user "${input.user}"`);
      userId = u.userId;
    }
    let device: string | null = null;
    if (input.imei && input.imeiMd5) throw new InvalidInputError('give either imei or imeiMd5, not both');
    if (input.imei) {
      try {
        device = imeiMd5(input.imei);
      } catch (e) {
        throw new InvalidInputError((e as Error).message);
      }
    } else if (input.imeiMd5) {
      device = parseImeiMd5(input.imeiMd5) ?? null;
      if (!device) throw new InvalidInputError('imeiMd5 must be 32 hex digits');
    }
    if (!userId && !device) throw new InvalidInputError('a pass needs a user, a device (imei) or both');
    const code = input.passCode ?? '';
    if (code.length > MAX_PASS_CODE) throw new InvalidInputError(`passCode is limited to ${MAX_PASS_CODE} characters`);
    const now = this.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const row: PassRow = {
        pass_id: randomDigits(16),
        plan_id: plan.planId,
        client_id: plan.clientId,
        user_id: userId,
        imei_md5: device,
        pass_code: code,
        created_at: now,
        revoked_at: null,
      };
      if (await this.repo.pass(row.pass_id)) continue;
      await this.repo.insertPass(row);
      await this.audit.record({
        type: 'passbook.pass.issue',
        clientId: plan.clientId,
        subject: userId ?? undefined,
        detail: { passId: row.pass_id, planId: plan.planId, device: Boolean(device) },
      });
      return toPass(row);
    }
    throw new ConflictError('could not allocate a pass id');
  }

  async passes(f: { clientId?: string; userId?: string; planId?: string; includeRevoked?: boolean }): Promise<Pass[]> {
    return (await this.repo.passes(f)).map(toPass);
  }

  /** Revokes a pass (of that app, when clientId is given). */
  async revoke(passId: string, clientId?: string): Promise<Pass> {
    const r = await this.repo.pass(passId);
    if (!r || (clientId && r.client_id !== clientId)) throw new NotFoundError(`no pass ${passId}`);
    if (r.revoked_at !== null) throw new ConflictError(`pass ${passId} is already revoked`);
    await this.repo.revoke(passId, this.now());
    await this.audit.record({ type: 'passbook.pass.revoke', clientId: r.client_id, subject: r.user_id ?? undefined, detail: { passId } });
    const after = await this.repo.pass(passId);
    if (!after) throw new NotFoundError(`no pass ${passId}`);
    return toPass(after);
  }

  /** What /app/get_pass returns to `userId` calling as `clientId` (with an optional device hash). */
  async holderView(clientId: string, userId: string, imeiMd5Hex: string | undefined): Promise<WirePass[]> {
    const app = await this.app(clientId);
    const rows = await this.repo.holderPasses(clientId, userId, imeiMd5Hex);
    const plans = new Map<string, PassPlan>();
    const out: WirePass[] = [];
    for (const r of rows) {
      let plan = plans.get(r.plan_id);
      if (!plan) {
        plan = await this.plan(r.plan_id);
        plans.set(r.plan_id, plan);
      }
      out.push({
        passId: r.pass_id,
        passCode: r.pass_code,
        appName: app.name,
        appId: app.clientId,
        logoUrl: plan.logoUrl,
        planId: plan.planId,
        title: plan.title,
        description: plan.description,
        validStartDate: plan.validStartDate,
        validEndDate: plan.validEndDate,
      });
    }
    return out;
  }
}

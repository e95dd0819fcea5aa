// Audit trail: one row per security-relevant event (logins, grants, tokens, revocations). Details
// never carry secrets; callers pass identifiers only.
import type { AuditFilter, AuditRepo, AuditRow } from '../store/db/audit-repo.ts';

export type { AuditFilter, AuditRow };

export interface AuditEvent {
  type: string;
  actor?: string | undefined;
  subject?: string | undefined;
  clientId?: string | undefined;
  ip?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export class AuditService {
  constructor(
    private readonly repo: AuditRepo,
    private readonly now: () => number = Date.now,
  ) {}

  async record(e: AuditEvent): Promise<void> {
    await this.repo.insert({
      at: this.now(),
      type: e.type,
      actor: e.actor ?? null,
      subject: e.subject ?? null,
      client_id: e.clientId ?? null,
      ip: e.ip ?? null,
      detail: JSON.stringify(e.detail ?? {}),
    });
  }

  list(filter?: AuditFilter): Promise<AuditRow[]> {
    return this.repo.list(filter);
  }
}

// What a server sets up on every start before it listens: the first admin named by
// OPAL_ADMIN_ACCOUNT / OPAL_ADMIN_PASSWORD (created once, never changed afterwards).
import type { AdminService } from './admin.ts';

export interface ProvisionConfig {
  adminAccount: string | undefined;
  adminPassword: string | undefined;
}

export interface Provisioned {
  /** The userId of the admin created by this start, if one was. */
  adminCreated?: string;
}

export async function provision(config: ProvisionConfig, services: { admin: AdminService }): Promise<Provisioned> {
  const out: Provisioned = {};
  if (config.adminAccount && config.adminPassword) {
    const created = await services.admin.ensureFirstAdmin(config.adminAccount, config.adminPassword);
    if (created) out.adminCreated = created.userId;
  }
  return out;
}

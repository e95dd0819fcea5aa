// What a server sets up on every start before it listens: the first admin named by
// OPAL_ADMIN_ACCOUNT / OPAL_ADMIN_PASSWORD (created once, never changed afterwards), then the
// fixture of OPAL_SEED_FILE (what it names and is missing).
import { applySeed, readSeedFile, type SeedResult, type SeedServices } from './seed-file.ts';

export interface ProvisionConfig {
  adminAccount: string | undefined;
  adminPassword: string | undefined;
  seedFile?: string | undefined;
}

export interface Provisioned {
  /** The userId of the admin created by this start, if one was. */
  adminCreated?: string;
  /** What the seed file created on this start. */
  seeded?: SeedResult;
}

export async function provision(config: ProvisionConfig, services: SeedServices): Promise<Provisioned> {
  const out: Provisioned = {};
  if (config.adminAccount && config.adminPassword) {
    const created = await services.admin.ensureFirstAdmin(config.adminAccount, config.adminPassword);
    if (created) out.adminCreated = created.userId;
  }
  if (config.seedFile) out.seeded = await applySeed(services, await readSeedFile(config.seedFile));
  return out;
}

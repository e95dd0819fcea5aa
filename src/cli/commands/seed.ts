import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { seedDemo } from '../../services/demo.ts';
import { applySeed, readSeedFile } from '../../services/seed-file.ts';
import { fields, withContext } from '../run.ts';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('create seed data')
    .option('--demo', 'create the demo developer, app and users')
    .option('--file <file>', 'apply a seed file (YAML or JSON, as OPAL_SEED_FILE): create what is missing')
    .action(async (opts: { demo?: boolean; file?: string }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          if (opts.file) {
            if (opts.demo) throw new InvalidInputError('pass either --demo or --file');
            return applySeed(ctx.services, await readSeedFile(opts.file));
          }
          if (!opts.demo) throw new InvalidInputError('nothing to seed: pass --demo or --file FILE');
          return seedDemo(ctx.services, ctx.config.publicUrl);
        },
        (r) => fields({ ...r }),
      );
    });
}

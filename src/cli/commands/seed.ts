import type { Command } from 'commander';
import { InvalidInputError } from '../../lib/errors.ts';
import { seedDemo } from '../../services/demo.ts';
import { fields, withContext } from '../run.ts';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('create seed data')
    .option('--demo', 'create the demo developer, app and users')
    .action(async (opts: { demo?: boolean }, cmd: Command) => {
      await withContext(
        cmd,
        async (ctx) => {
          if (!opts.demo) throw new InvalidInputError('nothing to seed: pass --demo');
          return seedDemo(ctx.services, ctx.config.publicUrl);
        },
        (r) => fields({ ...r }),
      );
    });
}

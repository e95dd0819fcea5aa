// `opal fds mb|rb|ls|put|get|rm|presign`: an FDS client that signs every request with Galaxy-V2
// (fds-protocol §2.2) against any FDS endpoint (Opal's FDS origin by default). Transfers stream;
// large files go multipart; a progress bar shows on a terminal.
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { presignUrl } from '../../core/fds/presign.ts';
import { InvalidInputError } from '../../lib/errors.ts';
import { DEFAULT_ENDPOINT, resolveClientConfig } from '../fds-client/config.ts';
import { downloadFile, downloadStream } from '../fds-client/download.ts';
import { FdsHttp } from '../fds-client/http.ts';
import {
  createBucket,
  deleteBucket,
  deleteObject,
  deleteObjects,
  listBuckets,
  listObjects,
  listObjectsPage,
} from '../fds-client/operations.ts';
import { createProgress } from '../fds-client/progress.ts';
import { formatSize, parseSize } from '../fds-client/sizes.ts';
import { uploadFile, uploadStream } from '../fds-client/upload.ts';
import { execute, fail, table, wantsJson } from '../run.ts';

interface ConnOpts {
  endpoint?: string;
  accessKey?: string;
  secret?: string;
}

const CONN_HELP = `
Connection (options win over the environment):
  --endpoint     OPAL_FDS_ENDPOINT     FDS base URL (default ${DEFAULT_ENDPOINT})
  --access-key   OPAL_FDS_ACCESS_KEY   access key id (opal app create --json prints accessKeyId)
  --secret       OPAL_FDS_SECRET       secret (accessSecret); prefer the variable: options show in ps

Exit codes as for every opal command: 0 ok, 1 failed, 2 bad usage or configuration, 3 not found (404),
4 conflict (409).`;

export function withConn(cmd: Command): Command {
  return cmd
    .option('--endpoint <url>', `FDS endpoint (env OPAL_FDS_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .option('--access-key <id>', 'access key id (env OPAL_FDS_ACCESS_KEY)')
    .option('--secret <secret>', 'secret access key (env OPAL_FDS_SECRET)')
    .addHelpText('after', CONN_HELP);
}

/**
 * Runs an FDS action with a connected client (closed afterwards); output and exit codes as for
 * every command (run.ts).
 */
export function run<T>(
  cmd: Command,
  action: (c: FdsHttp, json: boolean) => Promise<T>,
  human: (r: T) => string | undefined,
  toStderr = false,
): Promise<void> {
  return execute(
    cmd,
    async (json) => {
      const client = new FdsHttp(resolveClientConfig(cmd.opts<ConnOpts>()));
      try {
        return await action(client, json);
      } finally {
        client.close();
      }
    },
    human,
    { toStderr },
  );
}

function parseMeta(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const meta: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key))
      throw new InvalidInputError(`--meta: expected key=value with a token key, got "${item}"`);
    meta[key.replace(/^x-xiaomi-meta-/i, '')] = item.slice(eq + 1);
  }
  return meta;
}

function parseExpiry(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new InvalidInputError(`--expires-in: expected a duration such as 3600, 90s, 15m, 12h or 7d, got "${text}"`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit * 1000;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerFds(program: Command): void {
  // Other command files add subcommands to the same `fds` group: get it or create it.
  const fds = program.commands.find((c) => c.name() === 'fds') ?? program.command('fds');
  if (!fds.description())
    fds.description('FDS object storage: a Galaxy-V2 signing client (mb, rb, ls, put, get, rm, presign, thumb, webp)');
  fds.addHelpText(
    'after',
    `\nmb, rb, ls, put, get, rm, presign, thumb and webp talk to an FDS endpoint:${CONN_HELP}\nSee docs/fds-cli.md.`,
  );

  withConn(fds.command('mb').description('make a bucket').argument('<bucket>')).action(
    async (bucket: string, _o: unknown, cmd: Command) => {
      await run(
        cmd,
        async (c) => {
          await createBucket(c, bucket);
          return { bucket, created: true };
        },
        () => `created bucket ${bucket}`,
      );
    },
  );

  withConn(
    fds
      .command('rb')
      .description('remove a bucket (it must be empty unless --force)')
      .argument('<bucket>')
      .option('--force', 'first delete every object in it, permanently'),
  ).action(async (bucket: string, o: { force?: boolean }, cmd: Command) => {
    await run(
      cmd,
      async (c) => {
        let removedObjects = 0;
        if (o.force) {
          // Pages are taken from the start each time: the objects just deleted are gone.
          for (;;) {
            const page = await listObjectsPage(c, bucket, { delimiter: '' });
            const names = page.objects.map((x) => x.name);
            if (names.length === 0) break;
            const failures = await deleteObjects(c, bucket, names, true);
            if (failures.length > 0) throw new Error(`could not delete ${failures[0]?.object_name}: ${failures[0]?.error_description}`);
            removedObjects += names.length;
          }
        }
        await deleteBucket(c, bucket);
        return { bucket, deleted: true, removedObjects };
      },
      (r) => `deleted bucket ${bucket}${r.removedObjects ? ` (and ${r.removedObjects} objects)` : ''}`,
    );
  });

  withConn(
    fds
      .command('ls')
      .description('list buckets, or the objects of a bucket (directories as PRE lines unless --recursive)')
      .argument('[bucket]')
      .argument('[prefix]', 'only names starting with this', '')
      .option('-r, --recursive', 'list every name (no "/" roll-up)')
      .option('--max <n>', 'stop after this many entries'),
  ).action(async (bucket: string | undefined, prefix: string, o: { recursive?: boolean; max?: string }, cmd: Command) => {
    if (bucket === undefined) {
      await run(
        cmd,
        (c) => listBuckets(c),
        (r) =>
          table(
            r.buckets.map((b) => ({ name: b.name, created: b.creationTime ? new Date(b.creationTime).toISOString() : '' })),
            ['name', 'created'],
          ),
      );
      return;
    }
    const max = o.max === undefined ? Number.POSITIVE_INFINITY : Number(o.max);
    if (!(max >= 1)) fail(new InvalidInputError(`--max: expected a positive integer, got "${o.max}"`), wantsJson(cmd));
    await run(
      cmd,
      async (c, json) => {
        const delimiter = o.recursive ? '' : '/';
        const objects: Array<{ name: string; size: number; lastModified?: string; etag?: string }> = [];
        const commonPrefixes: string[] = [];
        let truncated = false;
        outer: for await (const page of listObjects(c, bucket, { prefix, delimiter })) {
          for (const p of page.commonPrefixes) {
            if (objects.length + commonPrefixes.length >= max) {
              truncated = true;
              break outer;
            }
            commonPrefixes.push(p);
            if (!json) process.stdout.write(`${'PRE'.padStart(12)}  ${''.padEnd(24)}  ${p}\n`);
          }
          for (const x of page.objects) {
            if (objects.length + commonPrefixes.length >= max) {
              truncated = true;
              break outer;
            }
            const entry = {
              name: x.name,
              size: x.size,
              ...(x.lastModified ? { lastModified: x.lastModified } : {}),
              ...(x.etag ? { etag: x.etag } : {}),
            };
            objects.push(entry);
            if (!json) process.stdout.write(`${String(x.size).padStart(12)}  ${(x.lastModified ?? '').padEnd(24)}  ${x.name}\n`);
          }
        }
        return { bucket, prefix, delimiter, objects, commonPrefixes, truncated };
      },
      () => undefined,
    );
  });

  withConn(
    fds
      .command('put')
      .description('upload a file (or stdin) as an object; files at or above the threshold go multipart')
      .argument('<bucket>')
      .argument('<object>', 'object name (may contain "/")')
      .argument('[file]', 'file to upload; "-" or omitted: stdin')
      .option('--content-type <type>', 'Content-Type stored with the object')
      .option('--meta <key=value>', 'user metadata (x-xiaomi-meta-<key>), repeatable', collect)
      .option('--part-size <bytes>', 'multipart part size, e.g. 8MiB', '64MiB')
      .option('--multipart-threshold <bytes>', 'files at least this large go multipart (default: the part size)'),
  ).action(
    async (
      bucket: string,
      object: string,
      file: string | undefined,
      o: { contentType?: string; meta?: string[]; partSize: string; multipartThreshold?: string },
      cmd: Command,
    ) => {
      await run(
        cmd,
        async (c, json) => {
          const partSize = parseSize(o.partSize, '--part-size');
          const multipartThreshold = o.multipartThreshold ? parseSize(o.multipartThreshold, '--multipart-threshold') : partSize;
          const meta = parseMeta(o.meta);
          const fromStdin = file === undefined || file === '-';
          if (fromStdin && process.stdin.isTTY) throw new InvalidInputError('nothing to upload: give a file or pipe data to stdin');
          const progress = createProgress(`put ${bucket}/${object}`, !json);
          const opts = {
            partSize,
            multipartThreshold,
            onProgress: (n: number) => progress.add(n),
            ...(o.contentType ? { contentType: o.contentType } : {}),
            ...(meta ? { meta } : {}),
          };
          try {
            if (fromStdin) return summarize(await uploadStream(c, bucket, object, process.stdin, opts));
            const { size } = await stat(file);
            progress.start(size);
            return summarize(await uploadFile(c, bucket, object, file, opts));
          } finally {
            progress.stop();
          }
        },
        (r) =>
          `uploaded ${r.bucket}/${r.object}: ${formatSize(r.size)}, md5 ${r.md5}${r.multipart ? `, multipart in ${r.parts} parts` : ''}`,
      );
    },
  );

  withConn(
    fds
      .command('get')
      .description('download an object to a file (or stdout); a full download is checked against its Content-MD5')
      .argument('<bucket>')
      .argument('<object>')
      .argument('[file]', 'destination file; "-" or omitted: stdout (the --json summary then goes to stderr)')
      .option('--range <bytes=N-M>', 'download only a byte range (Range header, e.g. bytes=0-99)'),
  ).action(async (bucket: string, object: string, file: string | undefined, o: { range?: string }, cmd: Command) => {
    const toStdout = file === undefined || file === '-';
    if (o.range !== undefined && !/^bytes=\d*-\d*$/.test(o.range)) {
      fail(new InvalidInputError(`--range: expected bytes=N-M, bytes=N- or bytes=-N, got "${o.range}"`), wantsJson(cmd));
    }
    await run(
      cmd,
      async (c, json) => {
        const progress = createProgress(`get ${bucket}/${object}`, !json);
        const opts = {
          ...(o.range ? { range: o.range } : {}),
          onStart: (n: number | undefined) => progress.start(n),
          onProgress: (n: number) => progress.add(n),
        };
        try {
          return toStdout
            ? await downloadStream(c, bucket, object, process.stdout, opts)
            : { ...(await downloadFile(c, bucket, object, file, opts)), file };
        } finally {
          progress.stop();
        }
      },
      (r) => (toStdout ? undefined : `downloaded ${r.bucket}/${r.object} to ${file}: ${formatSize(r.size)}, md5 ${r.md5}`),
      toStdout,
    );
  });

  withConn(
    fds
      .command('rm')
      .description('delete objects (to the trash, where they can be restored, unless --permanent)')
      .argument('<bucket>')
      .argument('<objects...>')
      .option('--permanent', 'delete for good (enableTrash=false)'),
  ).action(async (bucket: string, objects: string[], o: { permanent?: boolean }, cmd: Command) => {
    await run(
      cmd,
      async (c) => {
        const deleted: Array<{ object: string; versionId?: string }> = [];
        for (const object of objects) {
          const versionId = await deleteObject(c, bucket, object, o.permanent ?? false);
          deleted.push({ object, ...(versionId ? { versionId } : {}) });
        }
        return { bucket, deleted, permanent: o.permanent ?? false };
      },
      (r) => r.deleted.map((d) => `deleted ${bucket}/${d.object}`).join('\n'),
    );
  });

  withConn(
    fds
      .command('presign')
      .description('print a presigned URL (no credentials needed to use it until it expires)')
      .argument('<bucket>')
      .argument('<object>')
      .option('--method <method>', 'GET, PUT, HEAD or DELETE', 'GET')
      .option('--expires-in <duration>', 'validity: seconds, or with s/m/h/d', '1h')
      .option('--content-type <type>', 'Content-Type the request will send (signed; needed for a presigned PUT that sends one)'),
  ).action(async (bucket: string, object: string, o: { method: string; expiresIn: string; contentType?: string }, cmd: Command) => {
    await run(
      cmd,
      async (c) => {
        const method = o.method.toUpperCase();
        if (!['GET', 'PUT', 'HEAD', 'DELETE', 'POST'].includes(method)) throw new InvalidInputError(`--method: unsupported "${o.method}"`);
        const expires = Date.now() + parseExpiry(o.expiresIn);
        const url = presignUrl(c.config.endpoint, {
          method,
          bucket,
          object,
          expires,
          accessKeyId: c.config.accessKeyId,
          secret: c.config.secret,
          ...(o.contentType ? { contentType: o.contentType } : {}),
        });
        return { url, method, expires };
      },
      (r) => r.url,
    );
  });
}

function summarize(r: Awaited<ReturnType<typeof uploadFile>>) {
  return {
    bucket: r.bucket,
    object: r.object,
    size: r.size,
    md5: r.md5,
    multipart: r.multipart,
    ...(r.parts !== undefined ? { parts: r.parts } : {}),
    previousVersionId: r.result.previousVersionId ?? null,
  };
}

// The PutObjectResult body (fds-protocol §5.1) that put, post, multipart complete and copy answer
// with, as a client reads it (src/cli/fds-client/types.ts): the schema Opal answers with
// (responses.ts), where `previousVersionId` may be absent, as other servers send it, and Opal's
// own `versionId` is not relied on.
import type { Static } from '@sinclair/typebox/type';
import type { PutObjectResult as PutObjectResultSchema } from './responses.ts';

export type PutObjectResult = Omit<Static<typeof PutObjectResultSchema>, 'previousVersionId' | 'versionId'> & {
  /** Absent or null when no current object existed, the replaced version's id otherwise. */
  previousVersionId?: string | null;
};

// The per-app switches: their names are the keys of the stored apps.flags JSON (and of seed files
// and the console form), so they must not drift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLAG_NAMES } from '../../../src/core/account/app-flags.ts';

test('FLAG_NAMES lists every flag of AppFlags under its stored name', () => {
  assert.deepEqual(FLAG_NAMES, [
    'exactRedirect',
    'public',
    'bearer',
    'allowImplicit',
    'emitUserId',
    'requireMac',
    'strictScope',
    'allowPlainPkce',
  ]);
});

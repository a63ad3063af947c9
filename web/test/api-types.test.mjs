// The web client's API types are the server's: `src/api-types.ts` is exactly what
// `npm run gen:api` makes from the committed `openapi.json` (which a Rust test keeps equal to
// what the handlers describe). Fails after an API change until both are regenerated.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { generate, TARGET } from '../tools/api-types/gen.mjs';

test('src/api-types.ts is generated from the committed openapi.json', async () => {
  const committed = await readFile(TARGET, 'utf8');
  assert.ok(committed.includes('export interface paths'), 'the file holds the generated types');
  assert.ok(committed === (await generate()), 'src/api-types.ts is out of date: run `npm run gen:api` in web/');
});

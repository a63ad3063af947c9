/**
 * Writes `web/src/api-types.ts` from the committed `openapi.json` (which the server generates
 * from its handlers: `cargo run -p narada-server -- openapi > openapi.json`).
 *
 *   node tools/api-types/gen.mjs           writes the file (`npm run gen:api`)
 *   node tools/api-types/gen.mjs --check   exits 1 when the file is not what it would write
 *
 * This folder is its own package because openapi-typescript builds its output with the
 * TypeScript 5 compiler API, which TypeScript 7 (the web's type checker) no longer ships; the
 * web's package.json links it as a devDependency, so one `npm ci` installs both.
 */

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';

export const SPEC = new URL('../../../openapi.json', import.meta.url);
export const TARGET = new URL('../../src/api-types.ts', import.meta.url);

const BANNER = `/**
 * The HTTP API's types, generated from openapi.json by \`npm run gen:api\` (openapi-typescript).
 * Do not edit: change the server's handlers, regenerate openapi.json, then run the script.
 */

`;

/** The file's content for the current `openapi.json`. */
export async function generate() {
  const spec = JSON.parse(await readFile(SPEC, 'utf8'));
  return BANNER + astToString(await openapiTS(spec));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const want = await generate();
  if (process.argv.includes('--check')) {
    const have = await readFile(TARGET, 'utf8').catch(() => '');
    if (have !== want) {
      console.error('web/src/api-types.ts is out of date: run `npm run gen:api` in web/');
      process.exit(1);
    }
  } else {
    await writeFile(TARGET, want);
  }
}

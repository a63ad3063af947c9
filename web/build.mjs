// Builds web/src into web/dist: one JS bundle, one stylesheet, index.html, the icon and pages.json
// (the app's page paths, from src/routes.ts, which the server reads).
// Asset paths are root-absolute (/assets/app.js) so the same index.html works at / and /d/{doc}.
// The server embeds web/dist, so the output is committed; names are stable (no hashes) and the
// server sends them with Cache-Control: no-cache.
import { build } from 'esbuild';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { importTs } from './load-ts.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');

/**
 * The route table of src/routes.ts (name -> path), compiled and loaded here, so the server's
 * list of pages (dist/pages.json) is the one the client routes with.
 */
const routeTable = async () => (await importTs(path.join(here, 'src/routes.ts'))).PAGES;

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: path.join(here, 'src/main.ts') },
  outdir: path.join(dist, 'assets'),
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  minify: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
await copyFile(path.join(here, 'src/index.html'), path.join(dist, 'index.html'));
await copyFile(path.join(here, 'src/favicon.svg'), path.join(dist, 'favicon.svg'));
await writeFile(path.join(dist, 'pages.json'), `${JSON.stringify({ pages: Object.values(await routeTable()) }, null, 2)}\n`);
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  console.log(`${path.relative(here, file)}  ${(info.bytes / 1024).toFixed(1)} KiB`);
}

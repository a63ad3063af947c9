// Loads a module of web/src (TypeScript, no DOM at import time) into Node: esbuild compiles it
// with its imports into one ES module, imported from memory. The build reads the route table
// this way, and the tests the message catalogs, so both use the very code the app runs.
import { build } from 'esbuild';

export async function importTs(file) {
  const out = await build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
}

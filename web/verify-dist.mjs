// Rebuilds web/src into web/dist and fails, naming each file, when the result differs from what
// git has committed: the server embeds web/dist, so a stale bundle would ship code that is not
// in web/src. Compares the working tree (after the rebuild) with HEAD, counting files the build
// made that git does not know (untracked) and files it no longer makes (deleted).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
execFileSync(process.execPath, [path.join(here, 'build.mjs')], { cwd: here, stdio: 'inherit' });

const git = (...args) => execFileSync('git', args, { cwd: here, encoding: 'utf8' });
const changed = git('status', '--porcelain', '--untracked-files=all', '--', 'dist')
  .split('\n')
  .filter(Boolean);
if (changed.length > 0) {
  console.error('web/dist differs from a fresh build of web/src:');
  for (const line of changed) {
    const state = line.slice(0, 2).trim();
    const what = { M: 'changed', D: 'no longer built', '??': 'new, not committed', A: 'added, not committed' }[state] ?? state;
    console.error(`  ${line.slice(3)}  (${what})`);
  }
  console.error(git('diff', '--stat', '--', 'dist').trimEnd());
  console.error('Run `npm --prefix web run build` and commit web/dist.');
  process.exit(1);
}
console.log('web/dist matches a fresh build of web/src');

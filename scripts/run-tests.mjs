// Runs one test layer with Node's test runner: every *.test.ts below the folder, through tsx.
// (Node 20's --test takes no glob patterns.) Extra args are passed to node, e.g. --test-concurrency=1.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const [dir, ...nodeArgs] = process.argv.slice(2);
if (!dir || !existsSync(dir)) {
  console.error(`run-tests: no such folder: ${dir}`);
  process.exit(2);
}
const filter = process.env.TEST_FILTER;
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts') && (!filter || f.includes(filter)))
  .sort()
  .map((f) => join(dir, f));
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files in ${dir}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...nodeArgs, ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);

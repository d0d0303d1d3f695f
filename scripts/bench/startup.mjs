#!/usr/bin/env node
// `npm run bench`: cold start of `lab --version` and `lab status` against a bare `node -e 0`, same run.
// Timed with spawnSync and a monotonic clock; runs are interleaved so machine noise hits all three alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lab = join(root, 'scripts', 'bin', 'lab.js');
const runs = Number(process.env.BENCH_RUNS ?? 20);
const labHome = mkdtempSync(join(tmpdir(), 'e2m-bench-'));
const env = { ...process.env, LAB_HOME: labHome, CI: 'true' };

const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'lab --version': [process.execPath, [lab, '--version']],
  'lab status': [process.execPath, [lab, 'status']],
};

function once([file, args]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const c of Object.values(cases)) once(c); // warm the file cache, not the process
for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(cases)) samples[name].push(once(c));
rmSync(labHome, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples['node -e 0']);
console.log(`cold start, median of ${runs} interleaved runs (node ${process.version}, ${process.platform}/${process.arch})`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  console.log(`${name.padEnd(14)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}× node -e 0`);
}
const worst = Math.max(median(samples['lab --version']), median(samples['lab status'])) / base;
console.log(`goal ≤ 2.00×: ${worst <= 2 ? 'met' : 'NOT met'} (${worst.toFixed(2)}×)`);

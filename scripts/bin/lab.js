#!/usr/bin/env node
// `npx lab` shim: loads the compiled CLI from dist/ (built by `npm ci` through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../../dist/scripts/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('ERROR: the lab CLI is not built yet.\n  → run "npm ci" (or "npm run build") in the project folder, then "npx lab" again.\n');
  process.exitCode = 2;
} else {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: !!process.stdin.isTTY,
  });
}

// The exec seam: argv in, typed result or CommandError out, every call logged, Ctrl-C honoured.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExec, CommandError, type ExecEvent } from '../../scripts/lib/exec.ts';
import { InterruptedError } from '../../scripts/lib/errors.ts';

const node = process.execPath;
let dir: string;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('exec seam', () => {
  it('runs argv without a shell and logs the call', async () => {
    dir = mkdtempSync(join(tmpdir(), 'exec-'));
    const logFile = join(dir, 'log', 'commands.jsonl');
    const events: ExecEvent[] = [];
    const exec = createExec({ logFile, onEvent: (e) => events.push(e) });
    const r = await exec.run([node, '-e', 'process.stdout.write(process.argv[1])', 'a b; $(rm -rf /)']);
    expect(r.stdout).toBe('a b; $(rm -rf /)');
    expect(r.exitCode).toBe(0);
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].argv).toEqual([node, '-e', 'process.stdout.write(process.argv[1])', 'a b; $(rm -rf /)']);
    expect(lines[0].exitCode).toBe(0);
    expect(typeof lines[0].durationMs).toBe('number');
    expect(events.map((e) => e.type)).toEqual(['start', 'output', 'end']);
    expect((events[0] as { display: string }).display).toContain(`'a b; $(rm -rf /)'`);
  });

  it('throws a CommandError carrying argv, exit code and output', async () => {
    const exec = createExec();
    const error = await exec.run([node, '-e', 'console.error("boom"); process.exit(3)']).catch((e) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error.exitCode).toBe(3);
    expect(error.argv[0]).toBe(node);
    expect(error.stderr).toBe('boom');
    expect(error.message).toMatch(/failed with exit code 3/);
    expect(error.message).toMatch(/Command: /);
  });

  it('returns instead of throwing when reject is false', async () => {
    const r = await createExec().run([node, '-e', 'process.exit(5)'], { reject: false });
    expect(r.exitCode).toBe(5);
  });

  it('names a timeout as a timeout', async () => {
    const error = await createExec().run([node, '-e', 'setTimeout(()=>{}, 10000)'], { timeoutMs: 200 }).catch((e) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error.timedOut).toBe(true);
    expect(error.message).toMatch(/timed out after/);
  });

  it('maps a missing binary to "command not found" (127)', async () => {
    const error = await createExec().run(['definitely-not-a-tool-e2m']).catch((e) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error.exitCode).toBe(127);
    expect(error.message).toMatch(/command not found/);
  });

  it('resolves tool names to pinned binaries but prints the name', async () => {
    const events: ExecEvent[] = [];
    const exec = createExec({ resolve: (n) => (n === 'mytool' ? node : n), onEvent: (e) => events.push(e) });
    const r = await exec.run(['mytool', '-e', 'process.stdout.write("hi")']);
    expect(r.stdout).toBe('hi');
    expect((events[0] as { display: string }).display).toBe(`mytool -e 'process.stdout.write("hi")'`);
  });

  it('stops the child and raises InterruptedError on abort', async () => {
    const controller = new AbortController();
    const exec = createExec({ signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 150);
    const error = await exec.run([node, '-e', 'setTimeout(()=>{}, 20000)']).catch((e) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

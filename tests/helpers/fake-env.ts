// Test harness: a temp LAB_HOME, the fake toolchain first on PATH, a scenario file, and the argv log.
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createUi, type Ui } from '../../scripts/lib/ui.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const fakeBin = join(repoRoot, 'tests', 'fake-bin');

export interface FakeCall {
  tool: string;
  argv: string[];
  stdin?: string;
}

export interface Scenario {
  objects?: unknown[];
  rules?: Array<{ tool?: string; args?: string[]; stdout?: unknown; stderr?: string; exit?: number; sleepMs?: number; block?: boolean; once?: boolean }>;
  kindClusters?: string[];
  helmReleases?: Record<string, number>;
  /** Manifest URL → local file, so `kubectl apply -f <url>` works offline. */
  urls?: Record<string, string>;
  persist?: boolean;
}

export interface FakeEnv {
  dir: string;
  env: NodeJS.ProcessEnv;
  scenarioFile: string;
  setScenario(s: Scenario): void;
  scenario(): Scenario;
  calls(): FakeCall[];
  cleanup(): void;
}

export function fakeEnv(scenario: Scenario = {}, extra: NodeJS.ProcessEnv = {}): FakeEnv {
  const dir = mkdtempSync(join(tmpdir(), 'e2m-test-'));
  const scenarioFile = join(dir, 'scenario.json');
  const log = join(dir, 'calls.jsonl');
  writeFileSync(scenarioFile, JSON.stringify(scenario));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${fakeBin}:${process.env.PATH}`,
    LAB_HOME: join(dir, 'lab'),
    LAB_TOOLS_CACHE: join(dir, 'tools'),
    FAKE_SCENARIO: scenarioFile,
    FAKE_LOG: log,
    CI: 'true',
    NO_COLOR: '1',
    ...extra,
  };
  delete env.FORCE_COLOR;
  return {
    dir,
    env,
    scenarioFile,
    setScenario: (s) => writeFileSync(scenarioFile, JSON.stringify(s)),
    scenario: () => JSON.parse(readFileSync(scenarioFile, 'utf8')),
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as FakeCall)
        : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A UI that prints nothing, for tests that drive steps and checks directly. */
export const silentUi = (): Ui => createUi({ write() {} }, { CI: 'true' });

// What a check is: data (id, title, level, hint, fatal/warning, deadline) plus a run function.
import type { LabContext } from '../scripts/engine/types.ts';

export type CheckLevel = 'config' | 'behaviour';

export type CheckOutcome =
  | { status: 'pass'; note?: string }
  | { status: 'fail'; message: string; evidence?: string }
  | { status: 'skip'; reason: string };

/** The context a check runs with: the lab context, read-only by convention (checks never mutate). */
export type CheckContext = LabContext;

export interface Check {
  /** Stable id, `<lab-slug>.<name>`, e.g. `cluster.node-ready`; used in JSON/JUnit and `--only`. */
  id: string;
  /** One line, says what holds when the check passes ("the node is Ready"). */
  title: string;
  /** Lab id ("01"); the hint anchor is looked up in that lab's README.md. */
  lab: string;
  /** `config` reads the cluster's objects; `behaviour` proves it with live traffic. */
  level: CheckLevel;
  /** Anchor in labs/<lab>/README.md of the paragraph that explains the fix. */
  hint: string;
  /** A fatal failure stops the remaining checks (nothing after it can pass). */
  fatal?: boolean;
  /** A warning is reported but never fails the run. */
  warning?: boolean;
  /** Retry until this budget is spent (default: one try, or the run's --wait). */
  deadlineMs?: number;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export const pass = (note?: string): CheckOutcome => (note ? { status: 'pass', note } : { status: 'pass' });
export const fail = (message: string, evidence?: string): CheckOutcome =>
  evidence ? { status: 'fail', message, evidence } : { status: 'fail', message };
export const skip = (reason: string): CheckOutcome => ({ status: 'skip', reason });

export type ResultStatus = 'pass' | 'fail' | 'warning' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  lab: string;
  level: CheckLevel;
  status: ResultStatus;
  /** Why it failed (or was skipped, or the pass note). */
  message?: string;
  evidence?: string;
  /** Path and anchor of the lab paragraph, e.g. labs/01-cluster/README.md#node-ready */
  hint: string;
  durationMs: number;
  attempts: number;
  /** True when the check ran out of its deadline while retrying. */
  timedOut?: boolean;
}

export interface CheckGroup {
  lab: string;
  title: string;
  level: CheckLevel;
}

export interface CheckReport {
  success: boolean;
  startedAt: string;
  durationMs: number;
  results: CheckResult[];
  /** Set when a fatal check failed and the rest were not run. */
  abortedBy?: string;
}

export type CheckEvent =
  | { type: 'begin'; checks: Check[] }
  | { type: 'start'; check: Check }
  | { type: 'retry'; check: Check; attempt: number; message: string; remainingMs: number }
  | { type: 'result'; check: Check; result: CheckResult }
  | { type: 'end'; report: CheckReport };

export interface CheckRenderer {
  onEvent(event: CheckEvent): void;
}

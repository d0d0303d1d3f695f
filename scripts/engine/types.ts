// The shapes a lab is made of: a context every step and check gets, steps made of actions, labs.
import type { LabConfig } from '../lib/config.ts';
import type { LabPaths } from '../lib/paths.ts';
import type { Exec } from '../lib/exec.ts';
import type { Kube } from '../cluster/kube.ts';
import type { Ui } from '../lib/ui.ts';
import type { Check } from '../../checks/types.ts';

export interface LabContext {
  config: LabConfig;
  paths: LabPaths;
  /** The exec seam; argv[0] names a tool (kubectl, helm, …) and is resolved to the pinned binary. */
  exec: Exec;
  /** argv builders that always carry the lab's kubeconfig and context, and JSON getters. */
  kube: Kube;
  ui: Ui;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  now: () => Date;
  /** Process environment as the lab sees it (tests inject their own). */
  env: NodeJS.ProcessEnv;
  /** Command-line switches steps may honour: rotate (new PKI), recreate (cluster), purge (down). */
  flags: { rotate?: boolean; recreate?: boolean; purge?: boolean };
}

/** One thing a step does. Plans print these; runs execute them in order. */
export type Action =
  | {
      type: 'exec';
      argv: string[];
      /** stdin from a file (shown as `< file`) or from text made in-process (shown as `<<EOF` label). */
      stdinFile?: string;
      /** stdin made in-process (small manifests); plans print it as a heredoc. */
      stdinText?: string;
      timeoutMs?: number;
      /** Short reason printed above the command for learners. */
      why?: string;
    }
  | {
      type: 'wait';
      /** Names what is awaited: "node Ready". Printed as `Waiting ≤ 2m for node Ready`. */
      what: string;
      budgetMs: number;
      /** A command that itself waits up to the budget (kubectl wait / rollout status). */
      argv: string[];
      /** A command whose output is the "last state seen" when the wait times out. */
      lastState?: string[];
    }
  | {
      type: 'task';
      /** In-process work (certificates, files). */
      title: string;
      run(ctx: LabContext): Promise<void>;
      /** Shell commands that do the same thing, shown to learners in plans. */
      equivalent?: string[][];
      /** The equivalent commands form one shell pipeline (printed joined with ` | `). */
      pipeline?: boolean;
    };

export interface Step {
  id: string;
  title: string;
  /** Which guard applies: `cluster` (default) confirms the lab's own kind cluster first. */
  guard?: 'cluster' | 'none';
  /** Returns why the step's outcome already holds (so it is skipped), or false to run it. */
  satisfied?(ctx: LabContext): Promise<string | false>;
  actions(ctx: LabContext): Action[];
}

export interface LabModule {
  /** What `lab run` does: the steps as the lab text walks through them. */
  steps: Step[];
  /** What `lab solve` does when it differs from `steps` (labs where the learner writes YAML). */
  solution?: Step[];
  /** What `lab reset --to` runs to take this lab back out of the cluster (reverse order of labs). */
  undo?: Step[];
  checks: Check[];
}

export interface LabDefinition {
  id: string;
  slug: string;
  title: string;
  /** One sentence for menus and help. */
  summary: string;
  dependsOn: string[];
  /** Pinned tools the lab's checks run besides kubectl (steps' tools are read from their commands). */
  checkTools?: string[];
  /** Folder under labs/ holding README.md (the learner's text) and the lab module. */
  dir: string;
  /** Loaded lazily so `lab status` and `lab --version` stay fast. */
  load(): Promise<LabModule>;
}

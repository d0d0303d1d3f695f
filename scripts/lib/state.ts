// .lab/state.json: which cluster is the lab's, and what each lab has done; written atomically.
import { readFileSync, existsSync } from 'node:fs';
import { writeFileAtomic } from './fsutil.ts';
import { UserError } from './errors.ts';
import { displayPath } from './paths.ts';
import type { LabConfig } from './config.ts';

export const STATE_SCHEMA = 'edge-to-mesh/state/v1';

export interface CheckRecord {
  at: string;
  passed: boolean;
  failed: string[];
}

export interface LabRecord {
  /** Step ids completed, with the time each finished. A step is recorded only once it has finished. */
  steps: Record<string, string>;
  startedAt?: string;
  completedAt?: string;
  solvedAt?: string;
  check?: CheckRecord;
}

export interface ClusterRecord {
  name: string;
  /** Random id written into the cluster's marker ConfigMap at creation; the guard compares them. */
  id: string;
  createdAt: string;
  config: LabConfig;
}

export interface LabState {
  schema: typeof STATE_SCHEMA;
  cluster: ClusterRecord | null;
  labs: Record<string, LabRecord>;
}

export function emptyState(): LabState {
  return { schema: STATE_SCHEMA, cluster: null, labs: {} };
}

const wayOut = (path: string) =>
  `the cluster is not affected. Move the file aside (mv ${displayPath(path)} ${displayPath(path)}.bak) and run "lab status"; ` +
  `"lab reset --hard" starts over from an empty state.`;

/** Reads the state file; a missing file is an empty state, a corrupt or foreign one is a UserError. */
export function readState(path: string): LabState {
  if (!existsSync(path)) return emptyState();
  let raw: string;
  let data: unknown;
  try {
    raw = readFileSync(path, 'utf8');
    data = JSON.parse(raw);
  } catch (error) {
    throw new UserError(`state file ${displayPath(path)} is not valid JSON (${(error as Error).message})`, wayOut(path));
  }
  if (!data || typeof data !== 'object' || (data as { schema?: unknown }).schema !== STATE_SCHEMA) {
    const schema = (data as { schema?: unknown } | null)?.schema;
    throw new UserError(
      `state file ${displayPath(path)} is not an edge-to-mesh state file (schema ${JSON.stringify(schema ?? null)}, expected "${STATE_SCHEMA}")`,
      wayOut(path),
    );
  }
  const state = data as LabState;
  if (typeof state.labs !== 'object' || state.labs === null || Array.isArray(state.labs)) {
    throw new UserError(`state file ${displayPath(path)} has no "labs" object`, wayOut(path));
  }
  for (const [id, rec] of Object.entries(state.labs)) {
    if (!rec || typeof rec !== 'object' || typeof rec.steps !== 'object' || rec.steps === null) {
      throw new UserError(`state file ${displayPath(path)}: lab "${id}" has no "steps" record`, wayOut(path));
    }
  }
  if (state.cluster !== null && (typeof state.cluster !== 'object' || typeof state.cluster.id !== 'string')) {
    throw new UserError(`state file ${displayPath(path)}: "cluster" is malformed`, wayOut(path));
  }
  return state;
}

export function writeState(path: string, state: LabState): void {
  writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n', 0o600);
}

/** Read-modify-write in one place, so each update is one atomic replace of the file. */
export function updateState(path: string, change: (state: LabState) => void): LabState {
  const state = readState(path);
  change(state);
  writeState(path, state);
  return state;
}

export function labRecord(state: LabState, lab: string): LabRecord {
  return (state.labs[lab] ??= { steps: {} });
}

export type LabStatus = 'done' | 'failed' | 'in progress' | 'applied' | 'not started';

/** The one-word status shown in the menu and `lab status`. */
export function labStatus(rec: LabRecord | undefined): LabStatus {
  if (!rec) return 'not started';
  if (rec.check) return rec.check.passed ? 'done' : 'failed';
  if (rec.completedAt) return 'applied';
  if (Object.keys(rec.steps).length > 0 || rec.startedAt) return 'in progress';
  return 'not started';
}

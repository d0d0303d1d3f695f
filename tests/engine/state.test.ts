// The state file: atomic, and a corrupt or foreign file is a clear UserError with a way out.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState, writeState, updateState, emptyState, labStatus, STATE_SCHEMA } from '../../scripts/lib/state.ts';
import { UserError } from '../../scripts/lib/errors.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'state-'));
  path = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state file', () => {
  it('is empty when missing and round-trips', () => {
    expect(readState(path)).toEqual(emptyState());
    updateState(path, (s) => {
      s.labs['01'] = { steps: { create: '2026-12-04T00:00:00.000Z' } };
    });
    expect(readState(path).labs['01']!.steps.create).toBe('2026-12-04T00:00:00.000Z');
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('rejects corrupt JSON with the way out', () => {
    writeFileSync(path, '{"schema": "edge-to-mesh/state/v1", "labs": {');
    const error = (() => {
      try {
        readState(path);
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error!.message).toMatch(/not valid JSON/);
    expect(error!.hint).toMatch(/mv .*state\.json .*state\.json\.bak/);
    expect(error!.hint).toMatch(/cluster is not affected/);
  });

  it('rejects a foreign file naming its schema', () => {
    writeFileSync(path, JSON.stringify({ schema: 'other-tool/v9', labs: {} }));
    expect(() => readState(path)).toThrow(/schema "other-tool\/v9", expected "edge-to-mesh\/state\/v1"/);
    writeFileSync(path, JSON.stringify([1, 2]));
    expect(() => readState(path)).toThrow(UserError);
  });

  it('rejects malformed lab records', () => {
    writeFileSync(path, JSON.stringify({ schema: STATE_SCHEMA, cluster: null, labs: { '01': 'done' } }));
    expect(() => readState(path)).toThrow(/lab "01" has no "steps" record/);
  });

  it('derives the status word from the record', () => {
    expect(labStatus(undefined)).toBe('not started');
    expect(labStatus({ steps: { a: 'x' } })).toBe('in progress');
    expect(labStatus({ steps: { a: 'x' }, completedAt: 'x' })).toBe('applied');
    expect(labStatus({ steps: {}, completedAt: 'x', check: { at: 'x', passed: false, failed: ['a'] } })).toBe('failed');
    expect(labStatus({ steps: {}, completedAt: 'x', check: { at: 'x', passed: true, failed: [] } })).toBe('done');
  });

  it('writeState replaces the file whole', () => {
    writeState(path, { ...emptyState(), labs: { '02': { steps: {} } } });
    expect(Object.keys(readState(path).labs)).toEqual(['02']);
  });
});

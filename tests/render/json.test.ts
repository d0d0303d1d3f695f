// The JSON report: golden document, written once at the end, and valid against checks/render/schema.json.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonRenderer, toJsonReport } from '../../checks/render/json.ts';
import { abortedEvents, events, groupTitle, sink } from './fixture.ts';
import { expectGolden } from './golden.ts';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../checks/render/schema.json', import.meta.url)), 'utf8'));

type Schema = Record<string, unknown>;

/**
 * A tiny validator for the keywords schema.json uses (type, const, enum, required, properties,
 * additionalProperties:false, items, $ref to #/$defs, minimum, pattern). No dependency needed for that much.
 */
function validate(value: unknown, s: Schema, root: Schema, path = '$'): string[] {
  if (typeof s.$ref === 'string') return validate(value, (root.$defs as Record<string, Schema>)[s.$ref.replace('#/$defs/', '')]!, root, path);
  const errors: string[] = [];
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  if (s.type !== undefined) {
    const types = ([] as unknown[]).concat(s.type);
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [`${path}: expected ${types.join('|')}, got ${t}`];
  }
  if ('const' in s && value !== s.const) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);
  if (typeof s.minimum === 'number' && typeof value === 'number' && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
  if (typeof s.pattern === 'string' && typeof value === 'string' && !new RegExp(s.pattern, 'u').test(value)) errors.push(`${path}: does not match ${s.pattern}`);
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (s.required as string[] | undefined) ?? []) if (!(key in obj)) errors.push(`${path}: missing ${key}`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) errors.push(...validate(v, props[key], root, `${path}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected key ${key}`);
    }
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => errors.push(...validate(v, s.items as Schema, root, `${path}[${i}]`)));
  return errors;
}

function render(): { text: string; writesBeforeEnd: number } {
  const out = sink();
  const r = jsonRenderer(out, { groupTitle });
  const list = events();
  let writesBeforeEnd = 0;
  for (const e of list) {
    if (e.type === 'end') writesBeforeEnd = out.text.length;
    r.onEvent(e);
  }
  return { text: out.text, writesBeforeEnd };
}

describe('jsonRenderer', () => {
  it('matches the golden document', () => {
    expectGolden('report.json', render().text);
  });

  it('writes nothing until the end, then one document', () => {
    const { text, writesBeforeEnd } = render();
    expect(writesBeforeEnd).toBe(0);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('is valid against schema.json', () => {
    const doc = JSON.parse(render().text);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(validate(doc, schema, schema)).toEqual([]);
    expect(doc.summary).toEqual({ passed: 2, failed: 1, warnings: 1, skipped: 1 });
    expect(doc.groups.map((g: { title: string; checks: unknown[] }) => [g.title, g.checks.length])).toEqual([['01 cluster · config', 2], ['02 edge · behaviour', 3]]);
    expect(doc.groups[0].checks[1]).toEqual({
      id: 'cluster.pods-ready', title: 'system pods are Running', result: 'pass', message: '4/4 pods Running', evidence: null,
      hint: 'labs/01-cluster/README.md#pods-ready', durationMs: 10480, attempts: 3, timedOut: false,
    });
  });

  it('the validator itself catches a broken document', () => {
    const doc = JSON.parse(render().text);
    doc.groups[1].checks[0].result = 'failed';
    delete doc.summary.skipped;
    doc.extra = 1;
    expect(validate(doc, schema, schema).sort()).toEqual([
      '$.groups[1].checks[0].result: "failed" not in ["pass","fail","warning","skip"]',
      '$.summary: missing skipped',
      '$: unexpected key extra',
    ]);
  });

  it('records a timed-out fatal check and what it stopped', () => {
    const end = abortedEvents().at(-1)!;
    if (end.type !== 'end') throw new Error('fixture must end with an end event');
    const doc = toJsonReport(end.report, groupTitle);
    expect(validate(JSON.parse(JSON.stringify(doc)), schema, schema)).toEqual([]);
    expect(doc.abortedBy).toBe('cluster.api');
    expect(doc.groups[0]!.checks[0]).toMatchObject({ result: 'fail', timedOut: true, attempts: 6, durationMs: 30004 });
  });
});

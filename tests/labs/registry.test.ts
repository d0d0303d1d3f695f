// Every lab in the registry: checks are well-formed data, hints land on a paragraph, commands carry the context.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labs, findLab, hintUrl } from '../../labs/registry.ts';
import { planLab } from '../../scripts/engine/plan.ts';
import { createLabContext } from '../../scripts/engine/context.ts';
import { repoRoot, fakeEnv, silentUi } from '../helpers/fake-env.ts';
import type { Action } from '../../scripts/engine/types.ts';

/** Anchors a README offers: explicit <a id> / id="…" and GitHub's heading slugs. */
function anchors(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const m of markdown.matchAll(/id="([^"]+)"/g)) ids.add(m[1]!);
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    ids.add(m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  }
  return ids;
}

const fake = fakeEnv();
const ctx = createLabContext({ env: fake.env, ui: silentUi() });

describe.each(labs.map((l) => [l.id, l] as const))('lab %s', (_id, lab) => {
  it('has checks that are data: unique ids, its own lab id, a level and a hint that exists in its README', async () => {
    const mod = await lab.load();
    const readme = readFileSync(join(repoRoot, lab.dir, 'README.md'), 'utf8');
    const offered = anchors(readme);
    expect(mod.checks.length).toBeGreaterThan(0);
    const ids = mod.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of mod.checks) {
      expect(check.lab, check.id).toBe(lab.id);
      expect(check.id.startsWith(`${lab.slug.split('-')[0]}.`) || check.id.startsWith(`${lab.slug}.`), check.id).toBe(true);
      expect(['config', 'behaviour']).toContain(check.level);
      expect(offered.has(check.hint), `${check.id} → ${hintUrl(lab.id, check.hint)}`).toBe(true);
    }
  });

  it('sends every kubectl/helm/linkerd command through the lab kubeconfig and context', async () => {
    const mod = await lab.load();
    const steps = [...mod.steps, ...(mod.solution ?? []), ...(mod.undo ?? [])];
    const argvs = steps.flatMap((s) => s.actions(ctx)).flatMap((a: Action) => (a.type === 'task' ? [] : [a.argv]));
    for (const argv of argvs.filter((a) => ['kubectl', 'helm', 'linkerd'].includes(a[0]!))) {
      expect(argv.slice(1, 3), argv.join(' ')).toEqual(['--kubeconfig', ctx.paths.kubeconfig]);
      expect(argv[3], argv.join(' ')).toBe(argv[0] === 'helm' ? '--kube-context' : '--context');
      expect(argv[4]).toBe('kind-edge-to-mesh');
    }
  });

  it('never prints key material in its plan', async () => {
    const mod = await lab.load();
    for (const mode of ['run', 'solve'] as const) {
      const text = planLab(ctx, lab, mod, mode).join('\n');
      expect(text).not.toMatch(/PRIVATE KEY|tls\.key:\s*\S{20,}/);
    }
  });
});

describe('lab ids', () => {
  it('accept number, short number, slug and folder name', () => {
    expect(findLab('02').slug).toBe('linkerd');
    expect(findLab('2').slug).toBe('linkerd');
    expect(findLab('linkerd').id).toBe('02');
    expect(findLab('02-linkerd').id).toBe('02');
    expect(() => findLab('99')).toThrow(/unknown lab "99"/);
  });
});

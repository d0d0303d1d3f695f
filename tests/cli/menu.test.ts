// The guided menu: offers the next step first, runs what is picked, and quits cleanly on Esc/Ctrl-C.
import { describe, it, expect, afterEach } from 'vitest';
import { fakeEnv, type FakeEnv } from '../helpers/fake-env.ts';
import { home, type Select } from '../../scripts/cli/commands/home.ts';
import { openSession } from '../../scripts/cli/session.ts';

let fake: FakeEnv;
afterEach(() => fake?.cleanup());

function tty() {
  let text = '';
  return { stream: { isTTY: true, write: (s: string) => ((text += s), true) }, text: () => text };
}

function scripted(answers: Array<(choices: Array<{ name: string; value: unknown }>) => unknown>) {
  const asked: string[][] = [];
  const ask = (async (config: { choices: Array<{ name: string; value: unknown }> }) => {
    asked.push(config.choices.map((c) => c.name));
    const next = answers.shift();
    if (!next) throw Object.assign(new Error('no more answers'), { name: 'ExitPromptError' });
    return next(config.choices);
  }) as unknown as Select;
  return { ask, asked };
}

describe('menu', () => {
  it('puts the next step first, runs the pick, then quits with its exit code', async () => {
    fake = fakeEnv({}, { CI: '' });
    const out = tty();
    const err = tty();
    const session = openSession({ stdout: out.stream, stderr: err.stream, env: fake.env, stdinIsTTY: true });
    const { ask, asked } = scripted([(c) => c[0]!.value, (c) => c.find((x) => x.name === 'quit')!.value]);
    const code = await home(session, ask);
    session.close();
    expect(asked[0]![0]).toBe('npx lab doctor  (next)');
    expect(asked[0]).toContain('run 01 cluster');
    expect(err.text()).toMatch(/\$ npx lab doctor/);
    expect(out.text()).toMatch(/Docker is not running/);
    expect(code).toBe(2);
  });

  it('Ctrl-C at the prompt leaves quietly', async () => {
    fake = fakeEnv({}, { CI: '' });
    const out = tty();
    const session = openSession({ stdout: out.stream, stderr: tty().stream, env: fake.env, stdinIsTTY: true });
    const { ask } = scripted([]);
    expect(await home(session, ask)).toBe(0);
    session.close();
  });

  it('never prompts without a terminal', async () => {
    fake = fakeEnv();
    const out = tty();
    const session = openSession({ stdout: { write: out.stream.write }, stderr: tty().stream, env: fake.env, stdinIsTTY: false });
    const { ask, asked } = scripted([]);
    expect(await home(session, ask)).toBe(0);
    session.close();
    expect(asked).toEqual([]);
    expect(out.text()).toMatch(/Next: npx lab doctor/);
  });
});

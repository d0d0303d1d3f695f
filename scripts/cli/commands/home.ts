// `npx lab` with no verb: a guided menu on a terminal; status and the next command otherwise.
import { select } from '@inquirer/prompts';
import { labs } from '../../../labs/registry.ts';
import { readState } from '../../lib/state.ts';
import { ExitCode } from '../../lib/errors.ts';
import type { Session } from '../session.ts';
import { labRows, nextCommand, renderStatus } from './status.ts';

type Choice = { verb: string; lab?: string };

/** The prompt the menu asks with; tests pass a scripted one. */
export type Select = typeof select;

export async function home(session: Session, ask: Select = select): Promise<number> {
  const { io, ui } = session;
  const interactive = io.stdinIsTTY && !!io.stdout.isTTY && !ui.terminal.ci;
  if (!interactive) {
    // Never a prompt without a terminal: print what the menu would show.
    io.stdout.write(renderStatus(labRows(readState(session.paths.state)), false, ui.terminal.unicode));
    return ExitCode.ok;
  }
  const { dispatch } = await import('./index.ts');
  let last: number = ExitCode.ok;
  for (;;) {
    const rows = labRows(readState(session.paths.state));
    io.stderr.write('\n' + renderStatus(rows, ui.terminal.color, ui.terminal.unicode));
    const next = nextCommand(rows);
    const choices: Array<{ name: string; value: Choice; description?: string }> = [];
    if (next) {
      const [, , verb, lab] = next.command.split(' ');
      choices.push({ name: `${next.command}  (next)`, value: { verb: verb!, ...(lab ? { lab } : {}) }, description: next.why });
    }
    for (const l of labs.filter((x) => x.id !== '00')) {
      choices.push({ name: `run ${l.id} ${l.slug}`, value: { verb: 'run', lab: l.id }, description: l.summary });
    }
    choices.push(
      { name: 'check a lab…', value: { verb: 'check' } },
      { name: 'solve a lab…', value: { verb: 'solve' } },
      { name: 'reset to a lab…', value: { verb: 'reset' } },
      { name: 'quit', value: { verb: 'quit' } },
    );
    let choice: Choice;
    try {
      choice = await ask({ message: 'What next?', choices, pageSize: 14 }, { signal: session.signal });
      if (choice.verb === 'quit') return last;
      if (!choice.lab && choice.verb !== 'doctor') {
        choice.lab = await ask(
          { message: `${choice.verb} which lab?`, choices: labs.filter((l) => l.id !== '00').map((l) => ({ name: `${l.id} ${l.title}`, value: l.id })) },
          { signal: session.signal },
        );
      }
    } catch (error) {
      // Esc/Ctrl-C at a prompt is a clean exit, not a crash.
      if ((error as Error).name === 'ExitPromptError' || (error as Error).name === 'AbortPromptError') return last;
      throw error;
    }
    const positionals = choice.lab ? [choice.lab] : [];
    const values = choice.verb === 'reset' ? { to: choice.lab } : {};
    const verb = choice.verb === 'reset' ? 'reset' : choice.verb;
    io.stderr.write(`\n$ npx lab ${verb} ${choice.verb === 'reset' ? `--to ${choice.lab}` : positionals.join(' ')}\n`);
    try {
      last = await dispatch(verb, choice.verb === 'reset' ? [] : positionals, values, session);
    } catch (error) {
      ui.fail((error as Error).message);
      last = ExitCode.environment;
    }
    if (session.signal.aborted) return ExitCode.interrupted;
  }
}

// Maps a verb to its command module (loaded lazily by main).
import { UserError } from '../../lib/errors.ts';
import type { Session } from '../session.ts';

type Command = (session: Session, positionals: string[], values: Record<string, unknown>) => Promise<number>;

const table: Record<string, () => Promise<Command>> = {
  status: async () => (await import('./status.ts')).status,
  doctor: async () => (await import('./check.ts')).doctor,
  check: async () => (await import('./check.ts')).check,
  run: async () => (await import('./labs.ts')).run,
  solve: async () => (await import('./labs.ts')).solve,
  goto: async () => (await import('./labs.ts')).goto,
  reset: async () => (await import('./labs.ts')).reset,
  down: async () => (await import('./labs.ts')).down,
  plan: async () => (await import('./plan.ts')).plan,
  tools: async () => (await import('./tools.ts')).toolsCommand,
  probe: async () => (await import('./probe.ts')).probe,
  trust: async () => (await import('./trust.ts')).trust,
  kubeconfig: async () => (await import('./kubeconfig.ts')).kubeconfig,
};

export async function dispatch(verb: string, positionals: string[], values: Record<string, unknown>, session: Session): Promise<number> {
  const load = table[verb];
  if (!load) throw new UserError(`unknown verb "${verb}"`, 'see "npx lab help"');
  return (await load())(session, positionals, values);
}

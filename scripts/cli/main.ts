// `lab` entry point: parses the verb, dispatches lazily, and is the only place that decides the exit code.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UserError, exitCodeOf, InterruptedError, TimeoutError, GuardError } from '../lib/errors.ts';
import { projectRoot } from '../lib/paths.ts';
import { findVerb, passthroughTools, verbs, type Verb } from './verbs.ts';
import type { Session } from './session.ts';

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function helpText(verb?: Verb): string {
  if (verb) {
    return `Usage: ${verb.usage}\n\n${verb.summary}.${verb.details ? `\n\n${verb.details}` : ''}\n`;
  }
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'edge-to-mesh: end-to-end encryption with Emissary-ingress and Linkerd, lab by lab.',
    '',
    'Usage: npx lab [verb] [args]      (no verb: a guided menu on a terminal, status otherwise)',
    '',
    'Verbs:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    `  ${'kubectl …'.padEnd(width)}  Run the pinned kubectl (also kind, helm, linkerd) with the lab's kubeconfig and context`,
    '',
    'Labs are named by number or slug: 01, 1, cluster, 01-cluster.',
    'Exit codes: 0 ok · 1 a check failed · 2 environment or usage · 3 timed out · 4 cluster guard refused · 130 interrupted',
    'Run "npx lab help <verb>" for a verb\'s options.',
    '',
  ].join('\n');
}

function parse(verb: Verb, args: string[]) {
  try {
    return parseArgs({ args, options: verb.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError((error as Error).message.replace(/\. To specify.*$/s, ''), `see "npx lab help ${verb.name}"`);
  }
}

function printError(error: unknown, io: Io, verbose: boolean): void {
  const w = (s: string) => io.stderr.write(s + '\n');
  if (error instanceof InterruptedError) {
    w('Interrupted. Finished steps are recorded; run the same command again to resume.');
    return;
  }
  if (error instanceof TimeoutError) {
    w(`ERROR: ${error.message}`);
    if (error.lastState) w(`Last state seen:\n${error.lastState.split('\n').map((l) => `  ${l}`).join('\n')}`);
    return;
  }
  const e = error as Error & { hint?: string };
  w(`${error instanceof GuardError ? 'REFUSED' : 'ERROR'}: ${e.message ?? String(error)}`);
  if (e.hint) w(`  → ${e.hint}`);
  if (verbose && e.stack && !(error instanceof UserError) && !(error instanceof GuardError)) w(e.stack);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout.write(`edge-to-mesh ${version()}\n`);
    return ExitCode.ok;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(helpText());
    return ExitCode.ok;
  }
  const verbose = argv.includes('--verbose');
  const args = rest.filter((a) => a !== '--verbose');
  let session: Session | undefined;
  try {
    if (first === 'help') {
      const target = args[0] ? findVerb(args[0]) : undefined;
      if (args[0] && !target) throw new UserError(`unknown verb "${args[0]}"`, `verbs: ${verbs.map((v) => v.name).join(', ')}`);
      io.stdout.write(helpText(target));
      return ExitCode.ok;
    }
    if ((passthroughTools as readonly string[]).includes(first ?? '')) {
      const { passthrough } = await import('./commands/passthrough.ts');
      return await passthrough(first as (typeof passthroughTools)[number], rest, io);
    }
    const { openSession } = await import('./session.ts');
    if (first === undefined) {
      session = openSession(io);
      const { home } = await import('./commands/home.ts');
      return await home(session);
    }
    const verb = findVerb(first);
    if (!verb) {
      throw new UserError(`unknown verb "${first}"`, `verbs: ${verbs.map((v) => v.name).join(', ')}; or kind, kubectl, helm, linkerd`);
    }
    const parsed = parse(verb, args);
    session = openSession(io);
    const commands = await import('./commands/index.ts');
    return await commands.dispatch(verb.name, parsed.positionals, parsed.values as Record<string, unknown>, session);
  } catch (error) {
    session?.close();
    printError(error, io, verbose);
    return exitCodeOf(error);
  } finally {
    session?.close();
  }
}

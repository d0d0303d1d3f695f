// The verb table: usage, summary and options of every `lab` command; help and parsing derive from it.
import type { ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Verb {
  name: string;
  usage: string;
  summary: string;
  options: Options;
  /** Shown under `lab help <verb>`. */
  details?: string;
}

const output = { type: 'string', short: 'o' } as const;

export const verbs: Verb[] = [
  { name: 'status', usage: 'lab status', summary: 'Show each lab\'s state and the next command to type', options: { output } },
  { name: 'doctor', usage: 'lab doctor [-o table|plain|json|junit]', summary: 'Check this machine is ready (Docker, memory, ports, tools)', options: { output } },
  {
    name: 'run',
    usage: 'lab run <lab> [--recreate] [--rotate]',
    summary: 'Run a lab\'s steps, printing every command, then check it',
    options: { recreate: { type: 'boolean' }, rotate: { type: 'boolean' }, 'no-check': { type: 'boolean' } },
    details: '--recreate deletes and recreates an unhealthy lab cluster (lab 01); --rotate makes new certificates (lab 02).',
  },
  {
    name: 'check',
    usage: 'lab check [<lab>|all] [-o table|plain|json|junit] [--wait 2m]',
    summary: 'Prove a lab worked: the config in the cluster and live traffic',
    options: { output, wait: { type: 'string' } },
    details: 'Without a lab, checks every lab that has been run. --wait retries failing checks up to the given time.',
  },
  { name: 'solve', usage: 'lab solve <lab>', summary: 'Apply a lab\'s solution (instructors, or to catch up)', options: { rotate: { type: 'boolean' } } },
  { name: 'goto', usage: 'lab goto <lab>', summary: 'Solve every earlier lab, then stop before this one', options: {} },
  {
    name: 'reset',
    usage: 'lab reset --to <lab> | --hard [--to <lab>]',
    summary: 'Undo labs from <lab> on; --hard recreates the cluster',
    options: { to: { type: 'string' }, hard: { type: 'boolean' } },
  },
  { name: 'plan', usage: 'lab plan [<lab>…|all]', summary: 'Print every command a run would execute; nothing runs', options: { solve: { type: 'boolean' } } },
  { name: 'down', usage: 'lab down [--purge]', summary: 'Delete the lab\'s cluster (only its own); --purge also deletes .lab/pki', options: { purge: { type: 'boolean' } } },
  { name: 'tools', usage: 'lab tools [versions|install|path]', summary: 'Pinned kind/kubectl/helm/linkerd: versions, download, paths', options: {} },
  {
    name: 'probe',
    usage: 'lab probe tls <https-url> [--ca FILE] [--servername NAME] [-o json]\n       lab probe http <url> [--ca FILE] [--servername NAME] [-H "Name: value"]… [--expect-status N] [-o json]',
    summary: 'Probe an endpoint by hand, the way the checks do',
    options: {
      ca: { type: 'string' },
      servername: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      'expect-status': { type: 'string' },
      'connect-to': { type: 'string' },
      output,
    },
  },
  { name: 'trust', usage: 'lab trust', summary: 'How to trust (and un-trust) the lab CA in your OS and browser', options: {} },
  { name: 'kubeconfig', usage: 'lab kubeconfig [--merge]', summary: 'Print the lab kubeconfig path; --merge adds it to ~/.kube/config', options: { merge: { type: 'boolean' } } },
  { name: 'help', usage: 'lab help [verb]', summary: 'Show help', options: {} },
];

/** Pinned tools run through the wrapper with the lab's kubeconfig and context. */
export const passthroughTools = ['kind', 'kubectl', 'helm', 'linkerd'] as const;

export function findVerb(name: string): Verb | undefined {
  return verbs.find((v) => v.name === name);
}

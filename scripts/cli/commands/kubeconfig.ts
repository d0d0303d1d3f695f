// `lab kubeconfig [--merge]`: where the private kubeconfig is; merging into ~/.kube/config only on request.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../../lib/errors.ts';
import { displayPath } from '../../lib/paths.ts';
import type { Session } from '../session.ts';

export async function kubeconfig(session: Session, _positionals: string[], values: Record<string, unknown>): Promise<number> {
  const path = session.paths.kubeconfig;
  if (!existsSync(path)) throw new UserError(`no lab kubeconfig at ${displayPath(path)} yet`, 'create the cluster with "npx lab run 01"');
  if (!values.merge) {
    session.io.stdout.write(path + '\n');
    session.ui.info(`Use it with: export KUBECONFIG=${displayPath(path)}   (or "npx lab kubectl …", which sets it for you)`);
    return ExitCode.ok;
  }
  // The user asked for it: kind's own export merges into the default kubeconfig, keeping other contexts.
  const target = session.io.env.KUBECONFIG_TARGET ?? join(homedir(), '.kube', 'config');
  const ctx = await session.context({ tools: ['kind'] });
  await ctx.exec.run(['kind', 'export', 'kubeconfig', '--name', ctx.config.clusterName, '--kubeconfig', target]);
  session.ui.ok(`merged context kind-${ctx.config.clusterName} into ${target}; remove it with: kubectl config delete-context kind-${ctx.config.clusterName}`);
  return ExitCode.ok;
}

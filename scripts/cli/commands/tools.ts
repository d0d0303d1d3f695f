// `lab tools [versions|install|path|lock]`: the pinned kind/kubectl/helm/linkerd and where they come from.
import { createExec } from '../../lib/exec.ts';
import { ExitCode, UserError } from '../../lib/errors.ts';
import { toolCacheDir } from '../../lib/paths.ts';
import { installAll, toolStatus } from '../../tools/resolve.ts';
import { lockTools } from '../../tools/download.ts';
import { tools } from '../../tools/versions.ts';
import type { Session } from '../session.ts';

export async function toolsCommand(session: Session, positionals: string[]): Promise<number> {
  const sub = positionals[0] ?? 'versions';
  const env = session.io.env;
  const exec = createExec({ logFile: session.paths.commandLog, signal: session.signal, env });
  const out = (s: string) => session.io.stdout.write(s + '\n');
  switch (sub) {
    case 'versions': {
      const status = await toolStatus({ env, exec });
      for (const s of status) out(`${s.name.padEnd(8)} ${s.version.padEnd(12)} ${s.source.padEnd(8)} ${s.path ?? '-'}${s.note ? `  (${s.note})` : ''}`);
      out(`\ncache: ${toolCacheDir(env)}`);
      for (const t of Object.values(tools)) out(`  ${t.name}: ${t.why}`);
      return status.some((s) => s.source === 'missing') ? ExitCode.environment : ExitCode.ok;
    }
    case 'install': {
      const installed = await installAll({ env, exec, log: (l) => session.ui.info(l) });
      for (const t of installed) session.ui.ok(`${t.name} ${t.version} (${t.source}${t.downloaded ? ', downloaded and verified' : ''}) ${t.path}`);
      return ExitCode.ok;
    }
    case 'path': {
      const status = await toolStatus({ env, exec });
      for (const s of status) if (s.path) out(s.path);
      return status.some((s) => !s.path) ? ExitCode.environment : ExitCode.ok;
    }
    case 'lock': {
      await lockTools({ env, log: (l) => session.ui.info(l) });
      session.ui.ok('scripts/tools/tools.lock.json written: commit it to pin every digest');
      return ExitCode.ok;
    }
    default:
      throw new UserError(`unknown "lab tools ${sub}"`, 'use: npx lab tools versions | install | path | lock');
  }
}

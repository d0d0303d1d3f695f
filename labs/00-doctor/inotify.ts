// Linux inotify limits: not namespaced, so the kind node's kubelet and pods share the host's (kind known-issues).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** kind's known-issues page: "sudo sysctl fs.inotify.max_user_watches=524288 / max_user_instances=512". */
export const inotifyMinimum = { max_user_watches: 524_288, max_user_instances: 512 } as const;

export type InotifyKey = keyof typeof inotifyMinimum;

/** LAB_PROC_ROOT lets tests (and odd containers) point at another /proc. */
export function procRoot(env: NodeJS.ProcessEnv): string {
  return env.LAB_PROC_ROOT || '/proc';
}

export async function readInotifyLimits(root: string): Promise<Record<InotifyKey, number>> {
  const read = async (key: InotifyKey) => {
    const path = join(root, 'sys', 'fs', 'inotify', key);
    const text = (await readFile(path, 'utf8')).trim();
    const value = Number(text);
    if (!Number.isInteger(value)) throw new Error(`${path} holds "${text.slice(0, 40)}", not a number`);
    return value;
  };
  return { max_user_watches: await read('max_user_watches'), max_user_instances: await read('max_user_instances') };
}

export function sysctlFix(): string {
  const set = Object.entries(inotifyMinimum).map(([k, v]) => `fs.inotify.${k}=${v}`);
  return `Raise them now with sudo sysctl -w ${set.join(' ')}; keep them after a reboot with ` +
    `printf '%s\\n' ${set.map((s) => `'${s.replace('=', ' = ')}'`).join(' ')} | sudo tee /etc/sysctl.d/99-kind.conf`;
}

// Shell-quotes argv for display, so every printed command can be pasted into bash, zsh or sh.

const SAFE = /^[A-Za-z0-9_\/.,:=@%+-]+$/;

export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

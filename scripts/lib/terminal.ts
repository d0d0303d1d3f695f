// Detects once what the output can do: a TTY (spinners, colour) or CI/pipes (plain lines).
export interface Terminal {
  tty: boolean;
  color: boolean;
  ci: boolean;
  /** Plain ASCII marks when the locale cannot show ✓/✗. */
  unicode: boolean;
}

export function detectTerminal(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): Terminal {
  const ci = !!env.CI && env.CI !== 'false';
  const tty = !!stream.isTTY && !ci && env.TERM !== 'dumb';
  const color = tty && env.NO_COLOR === undefined && env.FORCE_COLOR !== '0';
  const lang = `${env.LC_ALL ?? ''}${env.LC_CTYPE ?? ''}${env.LANG ?? ''}`;
  const unicode = process.platform !== 'win32' || !!env.WT_SESSION || /UTF-?8/i.test(lang);
  return { tty, color: color || (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.NO_COLOR === undefined), ci, unicode };
}

export interface Paint {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

export function paint(on: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22), cyan: wrap(36, 39) };
}

export interface Marks {
  ok: string;
  fail: string;
  warn: string;
  skip: string;
  bullet: string;
}

export function marks(unicode: boolean): Marks {
  return unicode ? { ok: '✓', fail: '✗', warn: '‼', skip: '○', bullet: '•' } : { ok: 'v', fail: 'x', warn: '!!', skip: 'o', bullet: '*' };
}

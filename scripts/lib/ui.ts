// Status output on stderr: steps, shell-quoted commands, collapsing command output, spinner on TTY only.
import type { ExecEvent } from './exec.ts';
import { formatDuration } from './errors.ts';
import { detectTerminal, marks, paint, type Terminal } from './terminal.ts';

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Ui {
  readonly terminal: Terminal;
  info(message: string): void;
  ok(message: string): void;
  warn(message: string): void;
  fail(message: string): void;
  /** A dimmed detail line under the current step. */
  detail(message: string): void;
  /** Starts a step line; a spinner on a TTY, a bullet line otherwise. */
  begin(title: string): void;
  end(ok: boolean, note?: string): void;
  /** Observer for the exec seam: prints commands, keeps their output until they end. */
  onExec(event: ExecEvent): void;
  /** Stop timers (spinner) before exit. */
  close(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const KEEP_LINES = 40;

export function createUi(stream: Writable = process.stderr, env: NodeJS.ProcessEnv = process.env, options: { quiet?: boolean } = {}): Ui {
  const terminal = detectTerminal(stream, env);
  const p = paint(terminal.color);
  const m = marks(terminal.unicode);
  const quiet = !!options.quiet;
  let current: { title: string; started: number } | undefined;
  let spinner: ReturnType<typeof setInterval> | undefined;
  let frame = 0;
  let lastLine = '';
  const outputs = new Map<string[], string>();

  const clearLine = () => {
    if (terminal.tty && current) stream.write('\r\x1b[2K');
  };
  const draw = () => {
    if (!terminal.tty || !current) return;
    const tail = lastLine ? p.dim(` ${lastLine.slice(0, 60)}`) : '';
    stream.write(`\r\x1b[2K${p.cyan(FRAMES[frame++ % FRAMES.length]!)} ${current.title}${tail}`);
  };
  /** Prints a full line without tearing the spinner line. */
  const line = (text: string) => {
    clearLine();
    stream.write(text + '\n');
    draw();
  };

  return {
    terminal,
    info: (msg) => !quiet && line(msg),
    ok: (msg) => line(`${p.green(m.ok)} ${msg}`),
    warn: (msg) => line(`${p.yellow(m.warn)} ${msg}`),
    fail: (msg) => line(`${p.red(m.fail)} ${msg}`),
    detail: (msg) => !quiet && line(p.dim(`    ${msg}`)),
    begin(title) {
      current = { title, started: Date.now() };
      lastLine = '';
      if (terminal.tty) {
        draw();
        spinner = setInterval(draw, 80);
        spinner.unref?.();
      } else if (!quiet) {
        stream.write(`${m.bullet} ${title}\n`);
      }
    },
    end(ok, note) {
      if (spinner) clearInterval(spinner);
      spinner = undefined;
      const c = current;
      clearLine();
      current = undefined;
      if (!c) return;
      const took = p.dim(` (${formatDuration(Date.now() - c.started)})`);
      const suffix = note ? p.dim(` — ${note}`) : '';
      stream.write(`${ok ? p.green(m.ok) : p.red(m.fail)} ${c.title}${suffix}${took}\n`);
    },
    onExec(event) {
      if (event.quiet) return;
      if (event.type === 'start') {
        outputs.set(event.argv, '');
        line(p.dim(`  $ ${event.display}`));
      } else if (event.type === 'output') {
        outputs.set(event.argv, (outputs.get(event.argv) ?? '') + event.chunk);
        const last = event.chunk.trim().split('\n').pop();
        if (last) {
          lastLine = last;
          draw();
        }
      } else {
        const out = outputs.get(event.argv) ?? '';
        outputs.delete(event.argv);
        lastLine = '';
        // Output collapses on success and stays on failure: the tail is what explains it.
        if (event.error || event.exitCode !== 0) {
          const lines = out.trimEnd().split('\n');
          const shown = lines.slice(-KEEP_LINES);
          if (lines.length > KEEP_LINES) line(p.dim(`    … ${lines.length - KEEP_LINES} earlier lines in .lab/log/`));
          for (const l of shown) if (l) line(`    ${l}`);
        }
      }
    },
    close() {
      if (spinner) clearInterval(spinner);
      spinner = undefined;
      clearLine();
    },
  };
}

/**
 * Progress for long-running CLI work. On a terminal one line is redrawn in place (with a spinner
 * and the elapsed time); anywhere else each new state is printed once as a plain line, so logs and
 * CI output stay readable.
 */
import type { CliIO } from './command.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class StatusLine {
  #text = '';
  #printed = '';
  #frame = 0;
  #started = Date.now();
  #timer: NodeJS.Timeout | undefined;
  readonly #live: boolean;

  constructor(private readonly io: CliIO) {
    this.#live = io.isTTY === true && io.write !== undefined;
  }

  /** Starts timing a new task. */
  start(text: string): void {
    this.#started = Date.now();
    this.#printed = '';
    this.set(text);
    if (this.#live && !this.#timer) this.#timer = setInterval(() => this.#draw(), 100);
  }

  /** Changes what the line says (printed once per change when not on a terminal). */
  set(text: string): void {
    this.#text = text;
    if (this.#live) this.#draw();
    else if (text !== this.#printed) {
      this.#printed = text;
      this.io.out(`  ${text}`);
    }
  }

  elapsedSeconds(): string {
    return ((Date.now() - this.#started) / 1000).toFixed(1);
  }

  /** Ends the task: clears the live line and prints the final one. */
  finish(line: string): void {
    this.#stopTimer();
    if (this.#live) this.io.write!('\r\x1b[2K');
    this.io.out(line);
  }

  #draw(): void {
    this.#frame = (this.#frame + 1) % FRAMES.length;
    const columns = process.stdout.columns || 100;
    const line = `${FRAMES[this.#frame]} ${this.#text}  ${this.elapsedSeconds()}s`;
    this.io.write!(`\r\x1b[2K${line.length > columns - 1 ? line.slice(0, columns - 2) + '…' : line}`);
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

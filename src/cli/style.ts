/**
 * Terminal colours, only where they help and never where they hurt: on a TTY, not with `NO_COLOR`
 * set to anything non-empty (https://no-color.org), not on `TERM=dumb`.
 */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

export function colorEnabled(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

export function createStyle(enabled: boolean): Style {
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { enabled, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

/** Colour for an account health state or a job status; the word itself always carries the meaning. */
export function paintState(style: Style, state: string): string {
  switch (state) {
    case 'active':
    case 'completed':
      return style.green(state);
    case 'cooling_down':
    case 'unreachable':
    case 'cancelled':
    case 'queued':
      return style.yellow(state);
    case 'auth_failed':
    case 'needs_human':
    case 'failed':
    case 'moderated':
      return style.red(state);
    default:
      return style.cyan(state);
  }
}

/** Pads by visible width, so coloured cells line up with plain ones. */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/** Renders rows as aligned columns (two spaces apart), header first. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  ').trimEnd());
}

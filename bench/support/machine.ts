/** The facts a reader needs to compare numbers across machines. */
import os from 'node:os';

export function machineFacts(quick: boolean): string {
  const cpus = os.cpus();
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return [
    '## Machine',
    '',
    `- ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${gib(os.totalmem())} memory, ${os.type()} ${os.release()} ${os.arch()}`,
    `- Node ${process.version}; run ${new Date().toISOString()}${quick ? ' with --quick (smaller sizes)' : ''}`,
    // Other work on the machine moves every number; the load average at the start says how much there was.
    `- load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (1, 5, 15 min)`,
    '',
  ].join('\n');
}

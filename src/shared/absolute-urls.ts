/**
 * `results[].url` in job JSON is absolute, as useapi's own URLs are. Jobs are rendered without a
 * request (webhooks, the store), with paths (`/v1/results/…`); these helpers complete them with a
 * base URL (see src/http/absolute-urls.ts for answers, the webhook dispatcher for webhook bodies).
 */
type Result = { url?: unknown };

/** Prefixes `base` to every `results[].url` path in a job or a list of jobs (in place). */
export function absolutizeResults(value: unknown, base: string): void {
  if (Array.isArray(value)) {
    for (const item of value) absolutizeResults(item, base);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const results = (value as { results?: unknown }).results;
  if (!Array.isArray(results)) return;
  for (const result of results as Result[]) {
    if (typeof result?.url === 'string' && result.url.startsWith('/')) result.url = `${base}${result.url}`;
  }
}

/** The same for a stored webhook body (a JSON string), when the public URL is known. */
export function absoluteResultUrlsInBody(body: string, publicUrl: string | undefined): string {
  if (publicUrl === undefined || !body.includes('"/v1/results/')) return body;
  try {
    const parsed = JSON.parse(body) as unknown;
    absolutizeResults(parsed, publicUrl);
    return JSON.stringify(parsed);
  } catch {
    return body;
  }
}

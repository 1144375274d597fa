/** Small helpers the HTTP transports (Twilio, SMS hook) share. */

export const HTTP_TIMEOUT_MS = 10_000;

/** Reads at most `maxBytes` of a response body as UTF-8 and drops the rest, so a huge answer costs nothing. */
export async function readBody(response: Response, maxBytes = 16_384): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off halfway still tells us what we need: the status is what counts.
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** Throws the body away without reading it, so the connection can be reused. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

/** Parses JSON, or undefined when the text is not a JSON object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Plain words for a fetch that failed before any HTTP answer (refused, not found, timed out, TLS). */
export function describeFetchFailure(error: unknown, target: string, timeoutMs = HTTP_TIMEOUT_MS): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer from ${target} within ${timeoutMs / 1000} s`;
  }
  const code = systemCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing is listening at ${target} (ECONNREFUSED)`;
    case 'ENOTFOUND':
      return `the host of ${target} was not found (ENOTFOUND)`;
    case 'EAI_AGAIN':
      return `the DNS lookup for ${target} failed for now (EAI_AGAIN)`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `${target} closed the connection before answering (${code})`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${target} timed out (${code})`;
    case undefined:
      return `could not reach ${target}`;
    default:
      return `could not reach ${target} (${code})`;
  }
}

/** The system error code of a fetch failure: Node's fetch hides it in `cause`. */
function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `https://host:port/path` of a URL, without credentials, query or fragment, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? ' (query hidden)' : ''}`;
  } catch {
    return '(an unreadable URL)';
  }
}

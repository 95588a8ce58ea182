/** One POST of a JSON body with a time limit; any network error, timeout or non-2xx is a failure. */
export type PostResult =
  | { ok: true; status: number }
  | {
      ok: false;
      error: string;
      /** The receiver's answer, when there was one. */
      status?: number;
      /** The receiver's `Retry-After`, in ms from now (a 429 or 503 that says when to come back). */
      retryAfterMs?: number;
    };

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer(); // read to the end so the connection is reused
    if (res.ok) return { ok: true, status: res.status };
    const retryAfterMs = retryAfter(res.headers.get('retry-after'), now());
    return {
      ok: false,
      error: `HTTP ${res.status}`,
      status: res.status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { ok: false, error: `timeout after ${timeoutMs} ms` };
    return { ok: false, error: e.cause?.code ?? e.message };
  }
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; undefined if neither. */
export function retryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One POST of a JSON body with a time limit; any network error, timeout or non-2xx is a failure. */
export type PostResult = { ok: true; status: number } | { ok: false; error: string };

export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer(); // read to the end so the connection is reused
    return res.ok ? { ok: true, status: res.status } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { ok: false, error: `timeout after ${timeoutMs} ms` };
    return { ok: false, error: e.cause?.code ?? e.message };
  }
}

/** What the fuzz tests count per input path (cases, answers by class), printed for docs/reliability.md. */
import { afterAll, beforeAll } from 'vitest';

const counts = new Map<string, Map<string, number>>();

export const fuzzCounts = {
  add(path: string, status: number | string): void {
    const byClass = counts.get(path) ?? counts.set(path, new Map()).get(path)!;
    const cls = typeof status === 'number' ? `${Math.floor(status / 100)}xx` : status;
    byClass.set('cases', (byClass.get('cases') ?? 0) + 1);
    byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
  },
  /** A figure beside the cases (how many of them ended where). */
  note(path: string, what: string, n: number): void {
    const byClass = counts.get(path) ?? counts.set(path, new Map()).get(path)!;
    byClass.set(what, (byClass.get(what) ?? 0) + n);
  },
  print(): void {
    for (const [path, byClass] of counts)
      console.log(`fuzz ${path}: ${[...byClass].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  },
};

/**
 * A reject names what it refused: a JSON pointer to the field (`/severity: …`, `/: …` for the item
 * itself), the unknown element, grid or type by its value, the subject it came on, or — not JSON at all — the whole item
 * (the reject's index says which).
 */
export function rejectNamesItsField(r: { reason: string; code: string }): boolean {
  return (
    /^\/\S*:/.test(r.reason) ||
    /\b(element|grid|type|subject)\b/.test(r.reason) ||
    r.code === 'CADRE_ERR_BAD_JSON'
  );
}

/** Registers beforeAll/afterAll: every unhandled rejection while the file's tests run, in order (a fuzz test expects none). */
export function useUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  return unhandled;
}

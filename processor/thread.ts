/**
 * The processor's helper threads (the feeder, the shadow core) are modules beside this one: built,
 * the `.js`; run from the TypeScript sources (vitest), the `.ts` through tsx.
 */
import { Worker } from 'node:worker_threads';

export function startThread(module: string, workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL(`./${module}.js`, import.meta.url), { workerData });
  const source = new URL(`./${module}.ts`, import.meta.url).href;
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

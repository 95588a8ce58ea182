/**
 * How the desk's side panels (an event, an incident) keep their data: loaded at once for a new id
 * (after `reset` forgot the last one's data and forms), and again when a newer live transition of it
 * arrives (`seq`), debounced — a storm sends many. An answer for an id no longer shown is dropped.
 * Call while a component initialises (it registers an effect).
 */
import { untrack } from 'svelte';

export interface DetailSource<T> {
  id: () => string;
  seq: () => number | undefined;
  fetch: (id: string) => Promise<T>;
  reset: () => void;
  loaded: (data: T, id: string) => void;
  failed: (message: string, id: string) => void;
}

/** Live reloads wait this long for the transitions behind the first. */
export const RELOAD_DEBOUNCE_MS = 300;

export function followDetail<T>(source: DetailSource<T>): { reload: () => void; current: () => string } {
  let current = '';
  async function load(id: string): Promise<void> {
    try {
      const data = await source.fetch(id);
      if (id === current) source.loaded(data, id);
    } catch (err) {
      if (id === current) source.failed((err as Error).message, id);
    }
  }
  $effect(() => {
    const id = source.id();
    void source.seq();
    if (id !== current) {
      current = id;
      untrack(source.reset);
      void load(id);
      return;
    }
    const timer = setTimeout(() => void load(id), RELOAD_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  });
  return { reload: () => void load(current), current: () => current };
}

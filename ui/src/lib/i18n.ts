/**
 * Every visible string goes through `$t(key, params)`. Chinese (zh-CN) by default, English on switch;
 * the choice is kept in localStorage. A Svelte store (not a rune) so plain .ts modules can use it too.
 */
import { derived, writable } from 'svelte/store';
import { messages, singular, type Lang, type MessageKey } from './messages.js';
import { renderTitle, type TitleParts } from '../../../shared/titles.js';

const KEY = 'cadre.lang';
export const LANGS: Lang[] = ['zh-CN', 'en'];

function initial(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // no storage (private mode): default
  }
  return 'zh-CN';
}

export const lang = writable<Lang>(initial());
lang.subscribe((l) => {
  try {
    localStorage.setItem(KEY, l);
  } catch {
    // not persisted; still switched
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l;
});

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

function translate(l: Lang, key: MessageKey, params?: Params): string {
  const one = params && Number(params.n) === 1 ? singular[l]?.[key] : undefined;
  const text = one ?? messages[l][key] ?? messages['zh-CN'][key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export const t = derived(
  lang,
  (l): Translate =>
    (key, params) =>
      translate(l, key, params),
);

/** An event's title in the screen's language, from its parts (older documents have only `title`). */
export const eventTitle = derived(
  lang,
  (l) =>
    (e: { title: string; titleParts?: TitleParts }): string =>
      e.titleParts ? renderTitle(e.titleParts, l) : e.title,
);

export function toggleLang(): void {
  lang.update((l) => (l === 'zh-CN' ? 'en' : 'zh-CN'));
}

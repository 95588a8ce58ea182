/**
 * Event titles for people, in their language. The core sends a title's parts with every transition
 * (`titleParts`) and a `title` rendered in the configured locale (`cadre.yaml` `locale`, zh-CN by
 * default), so a screen or an SMS in another language renders the same parts itself.
 */
import { ELEMENT_KINDS, type ElementKind, type RuleName } from './schemas.js';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export interface TitleParts {
  rule: RuleName;
  /** The grid's name (not its id). */
  grid: string;
  /** What the rule counts: elements (outage, kpi, flapping) or complaints (complaint, planning). */
  count: number;
  /** The counted elements by kind, in the topology's kind order (outage, kpi, flapping). */
  kinds?: Partial<Record<ElementKind, number>>;
}

const ZH_KIND: Record<ElementKind, string> = {
  core: '核心网元',
  site: '基站',
  cell: '小区',
  transport: '传输设备',
  power: '动力设备',
  other: '网元',
};
const EN_KIND: Record<ElementKind, [string, string]> = {
  core: ['core element', 'core elements'],
  site: ['site', 'sites'],
  cell: ['cell', 'cells'],
  transport: ['transport element', 'transport elements'],
  power: ['power element', 'power elements'],
  other: ['element', 'elements'],
};

/** `3 个小区、1 个基站` / `3 cells and 1 site`; the plain count when the kinds are not known. */
function elements(p: TitleParts, locale: Locale): string {
  const kinds = ELEMENT_KINDS.flatMap((k) => {
    const n = p.kinds?.[k] ?? 0;
    return n > 0 ? [[k, n] as const] : [];
  });
  if (locale === 'zh-CN')
    return kinds.length ? kinds.map(([k, n]) => `${n} 个${ZH_KIND[k]}`).join('、') : `${p.count} 个网元`;
  const words = kinds.map(([k, n]) => `${n} ${EN_KIND[k][n === 1 ? 0 : 1]}`);
  const plain = `${p.count} ${p.count === 1 ? 'element' : 'elements'}`;
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? plain);
}

export function renderTitle(p: TitleParts, locale: Locale): string {
  if (locale === 'zh-CN') {
    switch (p.rule) {
      case 'outage':
        return `${p.grid}：${elements(p, locale)}退服`;
      case 'kpi':
        return `${p.grid}：${elements(p, locale)}指标劣化`;
      case 'flapping':
        return `${p.grid}：${elements(p, locale)}告警频繁闪断`;
      case 'complaint':
        return `${p.grid}：${p.count} 条投诉`;
      case 'planning':
        return `${p.grid}：覆盖投诉反复出现（${p.count} 条），需规划`;
    }
  }
  switch (p.rule) {
    case 'outage':
      return `${p.grid}: outage, ${elements(p, locale)}`;
    case 'kpi':
      return `${p.grid}: KPI degraded, ${elements(p, locale)}`;
    case 'flapping':
      return `${p.grid}: flapping, ${elements(p, locale)}`;
    case 'complaint':
      return `${p.grid}: ${p.count} ${p.count === 1 ? 'complaint' : 'complaints'}`;
    case 'planning':
      return `${p.grid}: recurring coverage complaints (${p.count})`;
  }
}

/** An incident's title: the failed element that explains it (or the shared alarm code) and how many grids. */
export interface IncidentTitleParts {
  /** The district (or city) name. */
  area: string;
  grids: number;
  element?: { id: string; kind: string };
  code?: string;
}

export function renderIncidentTitle(p: IncidentTitleParts, locale: Locale): string {
  const kind =
    p.element && (ELEMENT_KINDS as readonly string[]).includes(p.element.kind)
      ? (p.element.kind as ElementKind)
      : 'other';
  if (locale === 'zh-CN')
    return p.element
      ? `${p.area}：${ZH_KIND[kind]} ${p.element.id} 故障，影响 ${p.grids} 个网格`
      : `${p.area}：${p.code ?? ''} 同时影响 ${p.grids} 个网格`;
  const grids = `${p.grids} ${p.grids === 1 ? 'grid' : 'grids'}`;
  return p.element
    ? `${p.area}: ${EN_KIND[kind][0]} ${p.element.id} down, ${grids} affected`
    : `${p.area}: ${p.code ?? ''} in ${grids} at once`;
}

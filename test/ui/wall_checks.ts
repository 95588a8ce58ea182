/**
 * What the wall tests measure in the page (string scripts: the page's CSP forbids eval-based waits):
 * the smallest visible text against the wall's documented minimum, and whether any ticker or worst
 * row is cut by its panel.
 */
import type { Page } from 'playwright-core';

export interface TextCheck {
  /** The wall's minimum text size, px (data-min-text: 1.4 % of the width). */
  min: number;
  /** Visible DOM texts smaller than the minimum (size and text). */
  small: string[];
  /** Canvas text: the map's district names and the charts' tick labels, px. */
  labelPx: number;
  chartPx: number;
  /** Ticker / worst rows whose bottom is below their panel's bottom. */
  cutRows: number;
  rows: number;
}

export function checkWallText(page: Page): Promise<TextCheck> {
  return page.evaluate(`(() => {
    const wall = document.querySelector('[data-testid="wall"]');
    const min = Number(wall.dataset.minText);
    const small = [];
    const walker = document.createTreeWalker(wall, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const text = node.textContent.trim();
      if (!text) continue;
      const el = node.parentElement;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || st.display === 'none' || el.closest('.sr-only')) continue;
      const px = parseFloat(st.fontSize);
      if (px < min - 0.5) small.push(px.toFixed(1) + 'px ' + text.slice(0, 30));
    }
    let cutRows = 0, rows = 0;
    for (const sel of ['[data-testid="ticker-row"]', '[data-testid="worst-grid"]']) {
      for (const row of document.querySelectorAll(sel)) {
        rows++;
        const panel = row.closest('.panel').getBoundingClientRect();
        if (row.getBoundingClientRect().bottom > panel.bottom + 0.5) cutRows++;
      }
    }
    return {
      min, small, cutRows, rows,
      labelPx: Number(document.querySelector('[data-testid="grid-map"]').dataset.labelPx),
      chartPx: Number(wall.dataset.chartPx),
    };
  })()`);
}

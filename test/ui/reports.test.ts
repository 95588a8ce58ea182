/**
 * The reports page against the real system: complaints published on NATS reach the processor's
 * daily counters and the input log, and the page shows today's figures, the worst grid and the
 * repeat customer, with its CSV download; under the gateway's CSP with no page error.
 */
import { describe, expect, it } from 'vitest';
import {
  collectPageErrors,
  complaintNow,
  logIn,
  RESULTS,
  SCREENSHOTS,
  TEST_TIMEOUT,
  USERS,
  useStack,
} from './stack.js';

const stack = useStack();

describe('reports page on the real stack', () => {
  it(
    "shows today's complaints, the worst grid and the repeat customer; exports CSV (screenshot reports.png)",
    async () => {
      const grids = stack.config.topology.grids.filter((g) => g.city === 'CS');
      const [worst, other] = [grids[7]!, grids[8]!];
      const customer = { id: `repeat-${process.pid}`, tier: 4 as const };
      for (const c of [
        complaintNow(worst.id, { customer, category: 'voice' }),
        complaintNow(worst.id, { customer, category: 'coverage' }),
        complaintNow(worst.id, { category: 'data' }),
        complaintNow(other.id, { category: 'data' }),
      ])
        await stack.publish('complaint', 'CS', c);

      const context = await stack.browser.newContext({ viewport: { width: 1440, height: 1000 } });
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await logIn(page, stack.url, USERS.viewer, '/reports');
      await page.getByTestId('report-city').selectOption('CS');
      // The processor writes its grid documents about once a second: reload until the counts are in.
      const worstRow = page.locator(`[data-testid="report-worst-row"][data-grid-id="${worst.id}"]`);
      for (let i = 0; i < 30 && !(await worstRow.isVisible()); i++) {
        await page.waitForTimeout(500);
        await page.getByTestId('report-city').selectOption('');
        await page.getByTestId('report-city').selectOption('CS');
      }
      await expect(worstRow.isVisible()).resolves.toBe(true);
      expect(
        await page.locator('[data-testid="report-worst-row"]').first().getAttribute('data-grid-id'),
      ).toBe(worst.id);
      await expect(page.getByTestId('report-totals').innerText()).resolves.toContain('4');
      await expect(page.getByTestId('report-customer-row').first().innerText()).resolves.toContain(
        customer.id,
      );

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('report-csv').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^cadre-report-day-\d{4}-\d{2}-\d{2}-CS\.csv$/);
      await page.screenshot({ path: `${RESULTS}/reports.png` });
      await page.screenshot({ path: `${SCREENSHOTS}/reports.png` });
      expect(errors).toEqual([]);
      await context.close();
    },
    TEST_TIMEOUT,
  );
});

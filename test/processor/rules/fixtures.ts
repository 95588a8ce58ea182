/**
 * What the rule tests share: the default rules and the scenario topology's grids — HY-SG-0005 and
 * XT-YT-0010 general, XT-YH-0003 important, HY-ZH-0002 key.
 */
import { rulesFrom } from '../../../config/load.js';

export const rules = rulesFrom({});
export const G = 'HY-SG-0005';
export const cell = (n: number, grid = G) => `${grid}-CELL${n}`;

/** The first release's ladder alone, without Deal's contact deadline (1 h; rules/deal.test.ts). */
export const NO_CONTACT = { deal: { contactWithin: '30d' } };

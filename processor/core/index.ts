/** The processor core's public entry: the live processor and replay use only what is exported here. */
export { Core } from './core.js';
// Every type of types.ts is the core's public face (ClockMode, CoreContext, CoreOutput, …).
export type * from './types.js';
export { judgeMetric, kpiGridLevel } from './rules/kpi.js';
export { complaintLevel, complaintAckIn, clusterLevel } from './rules/complaint.js';
export { outageLevel } from './rules/outage.js';

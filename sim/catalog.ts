/**
 * What the simulated network says: alarm codes with their element kind, severity, category and
 * typical duration; complaint categories and texts; the daily curves of traffic and complaints; the
 * message types the simulator emits. Data and tiny helpers only.
 */
import type { ElementKind } from '../shared/schemas.js';
import type { Alarm, Complaint, ComplaintCategory, Kpi } from '../shared/schemas.js';
import { HOUR } from '../shared/time.js';

export type SimAlarm = Alarm & { type: 'alarm' };
export type SimKpi = Kpi & { type: 'kpi' };
export type SimComplaint = Complaint & { type: 'complaint' };
export type SimMessage = SimAlarm | SimKpi | SimComplaint;

/** A message due at `time` (epoch ms, also its `time` field), with the city of its subject. */
export interface TimedMessage {
  time: number;
  city: string;
  msg: SimMessage;
}

export interface AlarmCode {
  code: string;
  kind: ElementKind;
  severity: 1 | 2 | 3 | 4;
  category: Alarm['category'];
  /** Median duration in minutes (log-normal around it). */
  medianMin: number;
  text: string;
  /** Relative frequency among the background noise. */
  weight: number;
}

/** Non-outage alarms: evidence for a grid, never an outage by themselves. */
export const NOISE_CODES: readonly AlarmCode[] = [
  {
    code: 'DOOR_OPEN',
    kind: 'site',
    severity: 4,
    category: 'fault',
    medianMin: 12,
    text: '机房门禁告警',
    weight: 12,
  },
  {
    code: 'HIGH_TEMP',
    kind: 'site',
    severity: 3,
    category: 'fault',
    medianMin: 35,
    text: '机房温度过高',
    weight: 8,
  },
  {
    code: 'FAN_FAILURE',
    kind: 'site',
    severity: 3,
    category: 'fault',
    medianMin: 90,
    text: '风扇故障',
    weight: 3,
  },
  {
    code: 'CLOCK_SYNC_LOSS',
    kind: 'site',
    severity: 3,
    category: 'fault',
    medianMin: 8,
    text: 'GPS时钟失步',
    weight: 5,
  },
  {
    code: 'S1_LINK_FAIL',
    kind: 'site',
    severity: 2,
    category: 'fault',
    medianMin: 4,
    text: 'S1链路故障',
    weight: 4,
  },
  {
    code: 'BOARD_FAULT',
    kind: 'site',
    severity: 2,
    category: 'fault',
    medianMin: 120,
    text: '基带板故障',
    weight: 2,
  },
  {
    code: 'VSWR',
    kind: 'cell',
    severity: 2,
    category: 'fault',
    medianMin: 150,
    text: '天馈驻波比异常',
    weight: 6,
  },
  {
    code: 'UL_INTERFERENCE',
    kind: 'cell',
    severity: 3,
    category: 'performance',
    medianMin: 45,
    text: '上行干扰',
    weight: 9,
  },
  {
    code: 'HIGH_PRB_UTIL',
    kind: 'cell',
    severity: 4,
    category: 'performance',
    medianMin: 30,
    text: 'PRB利用率过高',
    weight: 10,
  },
  {
    code: 'RRC_SETUP_LOW',
    kind: 'cell',
    severity: 3,
    category: 'performance',
    medianMin: 20,
    text: 'RRC建立成功率低',
    weight: 4,
  },
  {
    code: 'LINK_DEGRADED',
    kind: 'transport',
    severity: 3,
    category: 'performance',
    medianMin: 25,
    text: '传输误码率升高',
    weight: 7,
  },
  {
    code: 'OPTICAL_POWER_LOW',
    kind: 'transport',
    severity: 3,
    category: 'fault',
    medianMin: 60,
    text: '光功率过低',
    weight: 3,
  },
  {
    code: 'MAINS_FAILURE',
    kind: 'power',
    severity: 2,
    category: 'fault',
    medianMin: 40,
    text: '市电停电（蓄电池供电）',
    weight: 4,
  },
  {
    code: 'BATTERY_LOW',
    kind: 'power',
    severity: 2,
    category: 'fault',
    medianMin: 30,
    text: '蓄电池电压低',
    weight: 3,
  },
  {
    code: 'RECTIFIER_FAULT',
    kind: 'power',
    severity: 3,
    category: 'fault',
    medianMin: 80,
    text: '整流模块故障',
    weight: 2,
  },
  {
    code: 'HIGH_CPU',
    kind: 'core',
    severity: 3,
    category: 'performance',
    medianMin: 15,
    text: '核心网元CPU负荷高',
    weight: 1,
  },
  {
    code: 'LICENSE_NEAR_LIMIT',
    kind: 'core',
    severity: 4,
    category: 'performance',
    medianMin: 60,
    text: 'License容量接近上限',
    weight: 0.3,
  },
];

/** Outage alarms: the element (and what hangs on it) is out of service. */
export const OUTAGE_TEXT: Record<string, string> = {
  CORE_DOWN: '核心网元故障，业务中断',
  SITE_DOWN: '基站退服',
  CELL_DOWN: '小区退服',
  TRANSPORT_DOWN: '传输链路中断',
  POWER_DOWN: '电源系统中断',
};

export const COMPLAINT_WEIGHTS: readonly (readonly [ComplaintCategory, number])[] = [
  ['voice', 30],
  ['data', 35],
  ['coverage', 15],
  ['sms', 5],
  ['wlan', 7],
  ['other', 8],
];

export const COMPLAINT_TEXT: Record<ComplaintCategory, readonly string[]> = {
  voice: ['通话断断续续', '经常掉话', '打电话对方听不清', '呼叫经常失败'],
  data: ['上网速度很慢', '4G信号满格但打不开网页', '视频一直卡顿', '晚上上网经常断'],
  coverage: ['家里室内没有信号', '地下车库无信号', '电梯里信号差', '小区信号弱'],
  sms: ['短信收不到', '验证码短信延迟'],
  wlan: ['WLAN热点连不上', '宽带WiFi频繁掉线'],
  other: ['彩信发送失败', '咨询网络升级进度'],
};

/** Customer tiers 1–4 as the seeds describe them: few key persons, most ordinary. */
export const TIER_WEIGHTS: readonly (readonly [1 | 2 | 3 | 4, number])[] = [
  [1, 2],
  [2, 8],
  [3, 25],
  [4, 65],
];

/** China Standard Time: the curves follow local hours. */
const LOCAL_OFFSET = 8 * HOUR;

export function localHour(ms: number): number {
  return ((((ms + LOCAL_OFFSET) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR)) / HOUR;
}

/** The wire form of a simulated time in the province's zone, e.g. `2026-10-15T09:00:00+08:00`. */
export function formatLocal(ms: number): string {
  const iso = new Date(ms + LOCAL_OFFSET).toISOString();
  return `${ms % 1000 === 0 ? iso.slice(0, 19) : iso.slice(0, 23)}+08:00`;
}

const bump = (h: number, centre: number, width: number) => Math.exp(-(((h - centre) / width) ** 2));

/** A daily shape scaled so that its mean over 24 hours is 1 (hour in [0, 24)). */
function normalized(shape: (hour: number) => number): (hour: number) => number {
  let sum = 0;
  for (let m = 0; m < 24 * 60; m++) sum += shape(m / 60);
  const mean = sum / (24 * 60);
  return (hour) => shape(hour) / mean;
}

/** Carried traffic relative to the day's mean: quiet at 4:00, busy 10–12 and 19–22. */
export const trafficCurve = normalized(
  (h) => 0.25 + 0.9 * bump(h, 11, 3) + 1.1 * bump(h, 20.5, 2.5) + 0.5 * bump(h, 15, 2.5),
);

/** Complaints relative to the day's mean: low at night, peaks about 10:00 and 20:00. */
export const complaintCurve = normalized(
  (h) => 0.05 + 1.6 * bump(h, 10, 1.6) + 1.5 * bump(h, 20, 1.6) + 0.6 * bump(h, 15, 2.5),
);

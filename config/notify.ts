/** notify.yaml: escalation subscribers (webhook, SMS), the escalation ladder, retry and SMS gateway settings. */
import { Type, type StaticDecode } from '@sinclair/typebox';
import { duration, int, oneOf, section } from './schema_helpers.js';
import { LEVELS } from '../shared/levels.js';
import { TRANSITIONS } from '../shared/schemas.js';

export const NotifySchema = section({
  subscribers: Type.Array(
    Type.Object({
      name: Type.String({ minLength: 1 }),
      channel: oneOf(['webhook', 'sms'] as const),
      url: Type.Optional(Type.String({ pattern: '^https?://' })),
      phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' })),
      secret: Type.Optional(Type.String({ pattern: '^whsec_[A-Za-z0-9+/=]+$' })),
      levels: Type.Array(oneOf(LEVELS), { default: ['red'] }),
      cities: Type.Optional(Type.Array(Type.String())),
      steps: Type.Array(Type.Integer({ minimum: 0 }), { default: [0] }),
      transitions: Type.Array(oneOf(TRANSITIONS), { default: [] }),
      /** Local times (cadre.yaml `timeZone`) between which notices below red wait (held, not dropped). */
      quietHours: Type.Optional(
        Type.Object({
          from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          to: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
        }),
      ),
    }),
    { default: [] },
  ),
  webhook: section({
    /** ~25.7 h in all: the contract asks for at least 24 h of retries. */
    retryDelays: Type.Array(duration('5s'), {
      default: ['5s', '30s', '2m', '10m', '30m', '1h', '2h', '4h', '6h', '6h', '6h'],
      minItems: 1,
    }),
    timeout: duration('10s'),
    /** The longest a receiver's `Retry-After` is waited out in one go (a receiver cannot park a notice for days). */
    maxRetryAfter: duration('1h'),
  }),
  sms: section({
    gateway: section({ url: Type.Optional(Type.String({ pattern: '^https?://' })) }),
    /** Texts to one phone within this window are folded into one summary. */
    foldWindow: duration('60s'),
    /** One SMS: 70 characters when the text has Chinese, 160 otherwise. */
    maxLength: int(70, { minimum: 20 }),
  }),
});
export type Notify = StaticDecode<typeof NotifySchema>;
export type Subscriber = Notify['subscribers'][number];

/** Problems a schema cannot see. */
export function crossCheckNotify(notify: Notify): string[] {
  const problems: string[] = [];
  notify.subscribers.forEach((s, i) => {
    if (s.channel === 'webhook' && !s.url)
      problems.push(`/subscribers/${i}/url: a webhook subscriber needs a url`);
    if (s.channel === 'sms' && !s.phone)
      problems.push(`/subscribers/${i}/phone: an sms subscriber needs a phone`);
    if (s.quietHours && s.quietHours.from === s.quietHours.to)
      problems.push(`/subscribers/${i}/quietHours: from and to are the same time`);
  });
  if (notify.subscribers.some((s) => s.channel === 'sms') && !notify.sms.gateway.url)
    problems.push('/sms/gateway/url: sms subscribers need an SMS gateway url');
  return problems;
}

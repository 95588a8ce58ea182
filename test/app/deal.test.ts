/**
 * Deal on the real stack (a nats-server, cadre's ingest + processor + gateway as `cadre start` wires
 * them, real HTTP): a dispatcher contacts, plans and resolves a complaint; the customer reads the
 * status page with the last four digits of their phone (and is refused with others); the SMS
 * gateway gets the satisfaction text for the customer's phone, and its dissatisfied answer reopens
 * the grid with a new event.
 */
import { describe, expect, it } from 'vitest';
import { jetstream } from '@nats-io/jetstream';
import { hashApiKey } from '../../shared/passwords.js';
import type { Complaint } from '../../shared/schemas.js';
import { messageId, subjects } from '../../shared/subjects.js';
import type { EventDoc } from '../../shared/views.js';
import { dispatcher, eventually, SHIPPED_TOPOLOGY, useTestApp } from '../helpers/app.js';
import { useNats } from '../helpers/nats.js';

const PASSWORD = 'deal-test-password';
const SMS_GATEWAY_KEY = 'sms-gateway-key-0123456789';
const GRID = 'CS-FR-0001';

const nats = useNats();
/** The stack with the test SMS gateway as its receiver: what cadre posted to it is cadre.received. */
const cadre = useTestApp<{ to: string; text: string; id: string }>({
  nats,
  name: 'deal',
  topology: SHIPPED_TOPOLOGY,
  answer: { status: 200, body: '{}' },
  files: async (smsGatewayUrl) => ({
    'notify.yaml': { sms: { gateway: { url: `${smsGatewayUrl}/sms` } } },
    'access.yaml': {
      users: [await dispatcher('cs-dispatcher', ['CS'], PASSWORD)],
      apiKeys: [{ name: 'sms-gateway', keyHash: hashApiKey(SMS_GATEWAY_KEY), role: 'ingest' }],
    },
  }),
  login: { username: 'cs-dispatcher', password: PASSWORD },
});

async function http(
  method: string,
  path: string,
  body?: unknown,
  credential?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (credential) headers.authorization = `Bearer ${credential}`;
  const res = await fetch(`${cadre.stack.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const complaintEvents = async (): Promise<EventDoc[]> => {
  const res = await http('GET', `/api/events?state=all&grid=${GRID}&rule=complaint`, undefined, cadre.token);
  return (res.body.events as EventDoc[]) ?? [];
};

describe('Deal on the real stack', () => {
  it('contact, promise, resolve; the status page by phone4; a dissatisfied answer reopens', async () => {
    const complaint: Complaint = {
      id: `deal-${process.pid}`,
      time: new Date().toISOString(),
      customer: { id: 'cust-deal', tier: 2, phone: '+86 139 0000 4321' },
      grid: GRID,
      category: 'data',
      text: '网速慢',
    };
    await jetstream(nats.nc).publish(subjects.input('complaint', 'CS'), JSON.stringify(complaint), {
      msgID: messageId('complaint', complaint),
    });
    const event = await eventually(
      async () => (await complaintEvents()).find((e) => e.evidence.complaints.includes(complaint.id)),
      'the complaint event',
    );
    expect(event.workOrders?.[0]).toMatchObject({ complaint: complaint.id, tier: 2, phone4: '4321' });
    expect(JSON.stringify(event)).not.toContain('0000 4321');

    const status = (phone4?: string, credential?: string) =>
      http(
        'GET',
        `/api/complaints/${complaint.id}/status${phone4 ? `?phone4=${phone4}` : ''}`,
        undefined,
        credential,
      );
    expect(await status('4321')).toMatchObject({ status: 200, body: { status: 'received' } });
    const wrong = await status('1234');
    expect(wrong.status).toBe(404);
    const unknown = await http('GET', '/api/complaints/no-such/status?phone4=4321');
    expect([unknown.status, unknown.body.error]).toEqual([wrong.status, wrong.body.error]);
    expect((await status()).status).toBe(404);
    expect((await status(undefined, cadre.token)).body).toMatchObject({ status: 'received' });

    const contacted = await http(
      'POST',
      `/api/events/${event.id}/contact`,
      { complaint: complaint.id, channel: 'phone', outcome: 'reached', note: '已回访' },
      cadre.token,
    );
    expect(contacted.status).toBe(200);
    expect((contacted.body.event as EventDoc).workOrders?.[0]?.contact).toEqual({
      channel: 'phone',
      outcome: 'reached',
      by: 'cs-dispatcher',
    });
    const promised = new Date(Date.now() + 4 * 3_600_000).toISOString();
    expect(
      (
        await http(
          'POST',
          `/api/events/${event.id}/plan`,
          { at: promised, scenario: '优化天线', complaint: complaint.id },
          cadre.token,
        )
      ).status,
    ).toBe(200);
    const moved = new Date(Date.now() + 8 * 3_600_000).toISOString();
    const refused = await http(
      'POST',
      `/api/events/${event.id}/plan`,
      { at: moved, scenario: '优化天线' },
      cadre.token,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/reason/);
    expect(await status('4321')).toMatchObject({
      body: { status: 'planned', plannedAt: new Date(promised).toISOString() },
    });

    expect(
      (await http('POST', `/api/events/${event.id}/resolve`, { note: '已优化' }, cadre.token)).status,
    ).toBe(200);
    expect(await status('4321')).toMatchObject({ body: { status: 'resolved' } });

    // The satisfaction SMS reaches the customer's own phone, asking for a reply.
    const survey = await eventually(
      async () => cadre.received.find((t) => t.text.includes(complaint.id)),
      'the survey SMS',
    );
    expect(survey).toMatchObject({ to: '+86 139 0000 4321' });
    expect(survey.text).toMatch(/满意请回复1/);

    const answer = await http(
      'POST',
      `/api/complaints/${complaint.id}/satisfaction`,
      { satisfied: false, note: '还是慢' },
      SMS_GATEWAY_KEY,
    );
    expect(answer.status).toBe(200);
    const reopened = await eventually(
      async () => (await complaintEvents()).find((e) => e.reopenOf === event.id),
      'the reopened event',
    );
    // Tier 2 is orange; the same customer again about the same problem is a repeat, one level up.
    expect(reopened).toMatchObject({ state: 'open', level: 'red' });
    expect(reopened.evidence.complaints).toEqual([complaint.id]);
  }, 60_000);

  it('rate-limits the status page per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await http('GET', '/api/complaints/x/status?phone4=0000')).status);
    expect(codes).toContain(429);
  });
});

/**
 * Alertmanager's webhook payload (version 4) as cadre alarms (CONTRACT.md "Alertmanager as an input"):
 * each alert is one alarm — its fingerprint the alarm id, `firing` raised at `startsAt`, `resolved`
 * cleared at `endsAt` — with `ne`, `grid`, `code`, `severity`, `category` and `text` taken from its
 * labels and annotations by cadre.yaml `alertmanager`. Pure: the items go through the same gate as
 * every other alarm (normalize, the time range) in ingest/http.ts.
 */
import type { CadreSettings } from '../config/cadre.js';
import { CadreError, reject } from '../shared/errors.js';
import type { BatchItem } from './batch.js';

export type AlertmanagerMapping = CadreSettings['alertmanager'];

interface Alert {
  status?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  startsAt?: unknown;
  endsAt?: unknown;
  fingerprint?: unknown;
}

/** The alerts of a webhook body as alarm items by index; throws for a body that is no version-4 payload. */
export function alarmsOfWebhook(body: unknown, mapping: AlertmanagerMapping): BatchItem[] {
  const payload = body as { version?: unknown; alerts?: unknown } | null;
  if (typeof payload !== 'object' || payload === null || !Array.isArray(payload.alerts))
    throw new CadreError(
      'CADRE_ERR_BAD_REQUEST',
      'the body must be an Alertmanager webhook payload with `alerts`',
    );
  if (payload.version !== '4')
    throw new CadreError(
      'CADRE_ERR_BAD_REQUEST',
      `Alertmanager webhook payload version ${JSON.stringify(payload.version)}: cadre reads version "4"`,
    );
  return payload.alerts.map((alert, index) => alarmOf(alert as Alert, index, mapping));
}

function alarmOf(alert: Alert, index: number, mapping: AlertmanagerMapping): BatchItem {
  if (typeof alert !== 'object' || alert === null)
    return { index, reject: reject('CADRE_ERR_SCHEMA', 'an alert must be an object') };
  const labels = strings(alert.labels);
  const first = (names: readonly string[], from = labels) =>
    names.map((n) => from[n]).find((v) => v !== undefined && v !== '');
  const missing = (field: string, names: readonly string[]): BatchItem => ({
    index,
    reject: reject(
      'CADRE_ERR_MISSING_LABEL',
      `alert ${String(alert.fingerprint ?? index)} has no label ${names.join(' or ')} for ${field} (cadre.yaml alertmanager.${field})`,
    ),
  });

  const ne = first(mapping.ne);
  if (ne === undefined) return missing('ne', mapping.ne);
  const code = first(mapping.code);
  if (code === undefined) return missing('code', mapping.code);
  const severityValue = first(mapping.severity);
  if (severityValue === undefined) return missing('severity', mapping.severity);
  const severity = mapping.severities[severityValue.toLowerCase()];
  if (severity === undefined)
    return {
      index,
      reject: reject(
        'CADRE_ERR_MISSING_LABEL',
        `alert ${String(alert.fingerprint ?? index)}: severity "${severityValue}" is not in cadre.yaml alertmanager.severities (${Object.keys(mapping.severities).join(', ')})`,
      ),
    };
  const firing = alert.status === 'firing';
  if (!firing && alert.status !== 'resolved')
    return { index, reject: reject('CADRE_ERR_SCHEMA', `/status: must be "firing" or "resolved"`) };
  const grid = first(mapping.grid);
  const text = first(mapping.text, strings(alert.annotations));
  return {
    index,
    value: {
      id: alert.fingerprint,
      ne,
      ...(grid !== undefined ? { grid } : {}),
      severity,
      category: first(mapping.category) === 'performance' ? 'performance' : 'fault',
      code,
      state: firing ? 'raised' : 'cleared',
      // Alertmanager sends a firing alert's endsAt in the future (its resolve timeout): not the clear.
      time: firing ? alert.startsAt : alert.endsAt,
      ...(text !== undefined ? { text } : {}),
    },
  };
}

/** The string-valued entries of a label or annotation set. */
function strings(set: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof set !== 'object' || set === null) return out;
  for (const [k, v] of Object.entries(set)) if (typeof v === 'string') out[k] = v;
  return out;
}

import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { graphql } from './api.js';
import { ago, count, milliseconds } from './format.js';
import { html } from './html.js';

const OVERVIEW = `{
  syncStatus { queueDepth deadLettersOpen outboxPending lastWebhookAt lastBackfillAt eventsProcessedLastHour }
  syncOverview {
    locations {
      locationId
      objects {
        object lastWebhookAt processedLastHour failedLastHour duplicatesLastHour lagP50Ms lagP99Ms
        queueDepth outboxPending deadLettersOpen conflictsOpen
        lastBackfill { full status records startedAt finishedAt }
      }
    }
    activity { minute applied stale duplicate ignored failed outboundWrites }
  }
  syncConflicts(first: 1) { totalCount }
}`;

const SERIES = [
  ['applied', '#2f855a'],
  ['stale', '#b7791f'],
  ['duplicate', '#805ad5'],
  ['ignored', '#718096'],
  ['failed', '#c53030'],
  ['outboundWrites', '#2b6cb0'],
];

/** Sync health at a glance: totals, per location and object, and the last 24 h by minute. */
export function Overview() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      graphql(OVERVIEW)
        .then((answer) => live && (setData(answer), setError(null)))
        .catch((failure) => live && setError(failure.message));
    load();
    const timer = setInterval(load, 10_000);
    return () => ((live = false), clearInterval(timer));
  }, []);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p>Loading…</p>`;
  const { syncStatus: status, syncOverview: overview } = data;
  return html`
    <section class="tiles" aria-label="Totals">
      ${tile('Queue depth', count(status.queueDepth), 'queue-depth')}
      ${tile('Outbox pending', count(status.outboxPending), 'outbox-pending')}
      ${tile('Open dead letters', count(status.deadLettersOpen), 'dead-letters-open')}
      ${tile('Conflicts', count(data.syncConflicts.totalCount), 'conflicts')}
      ${tile('Processed, last hour', count(status.eventsProcessedLastHour), 'processed-last-hour')}
      ${tile('Last webhook', ago(status.lastWebhookAt), 'last-webhook')}
      ${tile('Last backfill', ago(status.lastBackfillAt), 'last-backfill')}
    </section>
    <h2>Locations</h2>
    ${
      overview.locations.length === 0
        ? html`<p>No webhook in the last 24 hours, nothing waiting, no backfill run.</p>`
        : html`<div class="scroll">
            <table class="locations">
              <thead>
                <tr>
                  <th>Location</th>
                  <th>Object</th>
                  <th>Last webhook</th>
                  <th>Last backfill</th>
                  <th>Processed (1 h)</th>
                  <th>Failed (1 h)</th>
                  <th>Duplicates (1 h)</th>
                  <th>Lag p50 / p99</th>
                  <th>Queue</th>
                  <th>Outbox</th>
                  <th>Dead letters</th>
                  <th>Conflicts (24 h)</th>
                </tr>
              </thead>
              <tbody>
                ${overview.locations.flatMap((location) =>
                  location.objects.map(
                    (object) =>
                      html`<tr data-location=${location.locationId} data-object=${object.object}>
                        <td>${location.locationId}</td>
                        <td>${object.object}</td>
                        <td>${ago(object.lastWebhookAt)}</td>
                        <td data-field="last-backfill">${backfillSummary(object.lastBackfill)}</td>
                        <td data-field="processed">${count(object.processedLastHour)}</td>
                        <td data-field="failed">${count(object.failedLastHour)}</td>
                        <td data-field="duplicates">${count(object.duplicatesLastHour)}</td>
                        <td class="lag">${milliseconds(object.lagP50Ms)} / ${milliseconds(object.lagP99Ms)}</td>
                        <td data-field="queue">${count(object.queueDepth)}</td>
                        <td data-field="outbox">${count(object.outboxPending)}</td>
                        <td data-field="dead-letters">${count(object.deadLettersOpen)}</td>
                        <td data-field="conflicts">${count(object.conflictsOpen)}</td>
                      </tr>`,
                  ),
                )}
              </tbody>
            </table>
          </div>`
    }
    <h2>Last 24 hours, per minute</h2>
    <${ActivityChart} activity=${overview.activity} />
  `;
}

/** `full, done 5 min ago, 1,200 records`; a running run says when it started. */
function backfillSummary(run) {
  if (!run) return '—';
  const kind = run.full ? 'full' : 'incremental';
  const when = run.status === 'running' ? `started ${ago(run.startedAt)}` : ago(run.finishedAt);
  return `${kind}, ${run.status} ${when}, ${count(run.records)} records`;
}

function tile(label, value, id) {
  return html`<div class="tile"><span class="label">${label}</span><strong data-tile=${id}>${value}</strong></div>`;
}

function ActivityChart({ activity }) {
  const element = useRef(null);
  useEffect(() => {
    if (!element.current) return undefined;
    const { minutes, values } = everyMinute(activity);
    const chart = new uPlot(
      {
        width: Math.max(320, element.current.clientWidth - 16),
        height: 240,
        series: [{}, ...SERIES.map(([name, stroke]) => ({ label: name, stroke, width: 1.5 }))],
        axes: [{}, { label: 'per minute' }],
      },
      [minutes, ...SERIES.map(([name]) => minutes.map((minute) => values.get(minute)?.[name] ?? 0))],
      element.current,
    );
    return () => chart.destroy();
  }, [activity]);
  return html`<div class="chart" ref=${element} aria-label="Events and outbound writes per minute"></div>`;
}

/** The last 24 h as 1,440 minutes (epoch seconds), with the minutes the API returned by their time. */
function everyMinute(activity) {
  const last = Math.floor(Date.now() / 60_000) * 60;
  const minutes = Array.from({ length: 1440 }, (_, index) => last - (1439 - index) * 60);
  const values = new Map(activity.map((row) => [Date.parse(row.minute) / 1000, row]));
  return { minutes, values };
}

import { useCallback, useEffect, useState } from 'preact/hooks';
import { graphql } from './api.js';
import { ago, count } from './format.js';
import { html } from './html.js';

const STATUS = `{
  backfillStatus {
    object checkpoint lastCompletedAt lastError
    lastRun { id full status pages records total tombstoned resumed error startedAt finishedAt }
  }
}`;

const START = `mutation ($full: Boolean!) { startBackfill(full: $full) { jobId alreadyEnqueued } }`;

/** Per object: the checkpoint and the latest run, live while one runs; start an incremental or full run. */
export function Backfill() {
  const [objects, setObjects] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const load = useCallback(
    () =>
      graphql(STATUS)
        .then((answer) => (setObjects(answer.backfillStatus), setError(null)))
        .catch((failure) => setError(failure.message)),
    [],
  );
  useEffect(() => {
    load();
    const timer = setInterval(load, 2_000);
    return () => clearInterval(timer);
  }, [load]);
  const start = (full) =>
    graphql(START, { full })
      .then(({ startBackfill: started }) => {
        const kind = full ? 'a full' : 'an incremental';
        setNotice(started.alreadyEnqueued ? `Already enqueued this minute: ${kind} run.` : `Enqueued ${kind} run.`);
        load();
      })
      .catch((failure) => setError(failure.message));
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!objects) return html`<p>Loading…</p>`;
  if (objects.length === 0) return html`<p>The backfill needs GHL_LOCATION_ID and GHL_PRIVATE_INTEGRATION_TOKEN.</p>`;
  return html`
    <h2>Backfill</h2>
    <div class="actions">
      <button type="button" onClick=${() => start(false)}>Start incremental run</button>
      <button type="button" onClick=${() => start(true)}>Start full run</button>
    </div>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <table class="backfill">
      <thead>
        <tr>
          <th>Object</th>
          <th>Last run</th>
          <th>Status</th>
          <th>Records</th>
          <th>Pages</th>
          <th>Tombstoned</th>
          <th>Last completed</th>
          <th>Checkpoint</th>
        </tr>
      </thead>
      <tbody>
        ${objects.map(
          ({ object, checkpoint, lastCompletedAt, lastError, lastRun: run }) =>
            html` <tr data-object=${object}>
              <td>${object}</td>
              <td>
                ${run ? html`${run.full ? 'full' : 'incremental'}, ${ago(run.startedAt)}${run.resumed ? ', resumed' : ''}` : 'never'}
              </td>
              <td data-field="status">
                ${run?.status ?? '—'}${run?.error || lastError ? html`<br /><small class="error">${run?.error ?? lastError}</small>` : ''}
              </td>
              <td data-field="records">${run ? progressOf(run) : '—'}</td>
              <td>${run ? count(run.pages) : '—'}</td>
              <td data-field="tombstoned">${run?.tombstoned ?? '—'}</td>
              <td>${ago(lastCompletedAt)}</td>
              <td><code>${checkpoint ?? 'none'}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
  `;
}

function progressOf(run) {
  if (run.status !== 'running' || !run.total) return count(run.records);
  return html`${count(run.records)} / ${count(run.total)} <progress max=${run.total} value=${run.records}></progress>`;
}

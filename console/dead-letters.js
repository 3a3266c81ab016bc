import { useCallback, useEffect, useState } from 'preact/hooks';
import { graphql, useLatestOnly } from './api.js';
import { ago } from './format.js';
import { html } from './html.js';
import { Pager } from './pager.js';
import { Markdown } from './markdown.js';

const PAGE_SIZE = 50;

const LIST = `query ($status: DeadLetterStatus, $errorClass: String, $queue: String, $first: Int!, $after: String) {
  deadLetterClasses(status: OPEN) { errorClass queue count }
  deadLetters(status: $status, errorClass: $errorClass, queue: $queue, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id queue errorClass reason attempts status lastFailedAt } }
  }
}`;

const DETAIL = `query ($id: ID!, $reveal: Boolean!) {
  deadLetter(id: $id) { id queue errorClass reason attempts status correlationId idempotencyKey
    firstFailedAt lastFailedAt playbook payload(revealPersonal: $reveal) }
}`;

/**
 * Dead letters: filter by status, class and queue; a letter's reason, playbook and (masked)
 * payload; replay one or every open one of its class, or discard one with a reason.
 */
export function DeadLetters() {
  const [filter, setFilter] = useState({ status: 'OPEN', errorClass: null, queue: null });
  const [cursors, setCursors] = useState([null]);
  const [data, setData] = useState(null);
  const [selected, setSelected] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);

  const latestOnly = useLatestOnly();
  const load = useCallback(() => {
    const variables = { ...filter, status: filter.status || null, first: PAGE_SIZE, after: cursors.at(-1) };
    latestOnly(graphql(LIST, variables))
      .then((answer) => (setData(answer), setError(null)))
      .catch((failure) => setError(failure.message));
  }, [filter, cursors]);
  useEffect(load, [load]);

  const choose = (changes) => {
    setFilter({ ...filter, ...changes });
    setCursors([null]);
    setSelected(null);
    setNotice(null);
  };
  const done = (message) => {
    setNotice(message);
    setSelected(null);
    load();
  };
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p>Loading…</p>`;
  const page = data.deadLetters;
  return html`
    <h2>Dead letters</h2>
    <form class="filters" onSubmit=${(event) => event.preventDefault()}>
      <label
        >Status
        <select
          name="status"
          value=${filter.status}
          onChange=${(event) => choose({ status: event.currentTarget.value })}
        >
          <option value="OPEN">open</option>
          <option value="REPLAYED">replayed</option>
          <option value="DISCARDED">discarded</option>
          <option value="">all</option>
        </select>
      </label>
      ${OPEN_COUNT_FILTERS.map(
        ({ key, ...labels }) =>
          html`<${OpenCountFilter}
            ...${labels}
            counts=${openCounts(data.deadLetterClasses, key)}
            value=${filter[key]}
            onChoose=${(value) => choose({ [key]: value })}
          />`,
      )}
      ${
        filter.errorClass &&
        html`<button type="button" onClick=${() => replayClass(filter, done, setError)}>
          Replay every open ${filter.errorClass}${filter.queue ? ` of ${filter.queue}` : ''}
        </button>`
      }
    </form>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <p><span data-count="dead-letters">${page.totalCount}</span> dead letter(s)</p>
    <table class="dead-letters">
      <thead>
        <tr>
          <th>Last failed</th>
          <th>Class</th>
          <th>Queue</th>
          <th>Attempts</th>
          <th>Status</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        ${page.edges.map(
          ({ node }) =>
            html`<tr
              data-id=${node.id}
              class=${selected === node.id ? 'selected' : ''}
              onClick=${() => setSelected(node.id)}
            >
              <td>${ago(node.lastFailedAt)}</td>
              <td>${node.errorClass}</td>
              <td>${node.queue}</td>
              <td>${node.attempts}</td>
              <td>${node.status}</td>
              <td class="reason">${node.reason}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} cursors=${cursors} setCursors=${setCursors} pageInfo=${page.pageInfo} />
    ${selected && html`<${DeadLetterDetail} id=${selected} onDone=${done} />`}
  `;
}

function DeadLetterDetail({ id, onDone }) {
  const [reveal, setReveal] = useState(false);
  const [letter, setLetter] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    graphql(DETAIL, { id, reveal })
      .then((answer) => setLetter(answer.deadLetter))
      .catch((failure) => setError(failure.message));
  }, [id, reveal]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!letter) return html`<p>Loading…</p>`;
  const act = (mutation, variables, message) =>
    graphql(mutation, variables)
      .then(() => onDone(message))
      .catch((failure) => setError(failure.message));
  const discard = (event) => {
    event.preventDefault();
    const reason = new FormData(event.currentTarget).get('reason')?.toString() ?? '';
    act(
      'mutation ($id: ID!, $reason: String) { discardDeadLetter(id: $id, reason: $reason) { id } }',
      { id, reason },
      `Discarded ${id}.`,
    );
  };
  return html`
    <section class="detail" aria-label="Dead letter ${id}">
      <h3>${letter.errorClass} · ${letter.queue}</h3>
      <p class="reason" data-field="reason">${letter.reason}</p>
      <p>
        Attempts ${letter.attempts} · first failed ${ago(letter.firstFailedAt)} · correlation id
        <code>${letter.correlationId}</code>
      </p>
      ${
        letter.status === 'OPEN' &&
        html`<div class="actions">
          <button
            type="button"
            onClick=${() => act('mutation ($id: ID!) { replayDeadLetter(id: $id) { id } }', { id }, `Replayed ${id}.`)}
          >
            Replay
          </button>
          <form onSubmit=${discard}>
            <label>Reason <input name="reason" /></label>
            <button type="submit">Discard</button>
          </form>
        </div>`
      }
      <h4>Playbook</h4>
      <${Markdown} text=${letter.playbook} />
      <h4>What it held</h4>
      <label
        ><input type="checkbox" checked=${reveal} onChange=${(event) => setReveal(event.currentTarget.checked)} /> Show
        personal fields</label
      >
      <pre class="payload" data-field="payload">${letter.payload}</pre>
    </section>
  `;
}

/** The filters by a letter's field, with the open letters of each value (from deadLetterClasses). */
const OPEN_COUNT_FILTERS = [
  { key: 'errorClass', label: 'Class', name: 'class', every: 'every class' },
  { key: 'queue', label: 'Queue', name: 'queue', every: 'every queue' },
];

/** A filter whose options are names with their open letters; the first option (null) is every one. */
function OpenCountFilter({ label, name, every, counts, value, onChoose }) {
  return html`<label
    >${label} (open)
    <select name=${name} value=${value ?? ''} onChange=${(event) => onChoose(event.currentTarget.value || null)}>
      <option value="">${every}</option>
      ${counts.map(([option, open]) => html`<option value=${option}>${option} (${open})</option>`)}
    </select>
  </label>`;
}

/** The open letters per class (or per queue), from deadLetterClasses' (class, queue) counts, by name. */
function openCounts(classes, key) {
  const counts = new Map();
  for (const group of classes) counts.set(group[key], (counts.get(group[key]) ?? 0) + group.count);
  return [...counts].sort(([left], [right]) => left.localeCompare(right));
}

async function replayClass({ errorClass, queue }, done, setError) {
  try {
    const answer = await graphql(
      'mutation ($errorClass: String!, $queue: String) { replayDeadLetters(errorClass: $errorClass, queue: $queue) }',
      {
        errorClass,
        queue,
      },
    );
    done(`Replayed ${answer.replayDeadLetters} dead letter(s) of ${errorClass}.`);
  } catch (failure) {
    setError(failure.message);
  }
}

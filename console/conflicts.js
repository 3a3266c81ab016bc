import { useCallback, useEffect, useState } from 'preact/hooks';
import { graphql, useLatestOnly } from './api.js';
import { ago } from './format.js';
import { html } from './html.js';
import { Pager } from './pager.js';

const PAGE_SIZE = 50;

const LIST = `query ($first: Int!, $after: String) {
  syncConflicts(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id field trainuValue ghlValue trainuChangedAt ghlChangedAt rule winner createdAt
      reappliedAt reappliedBy contact { id email } } }
  }
}`;

const REAPPLY = `mutation ($id: ID!) { reapplyConflictValue(id: $id) { id reappliedAt } }`;

/** Fields both sides changed: both values, the rule and the winner; the losing value can be written back. */
export function Conflicts() {
  const [cursors, setCursors] = useState([null]);
  const [data, setData] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);
  const latestOnly = useLatestOnly();
  const load = useCallback(() => {
    latestOnly(graphql(LIST, { first: PAGE_SIZE, after: cursors.at(-1) }))
      .then((answer) => (setData(answer), setError(null)))
      .catch((failure) => setError(failure.message));
  }, [cursors]);
  useEffect(load, [load]);
  const reapply = (conflict) =>
    graphql(REAPPLY, { id: conflict.id })
      .then(() => (setNotice(`Wrote the losing ${conflict.field} back: ${shown(losing(conflict))}.`), load()))
      .catch((failure) => setError(failure.message));
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p>Loading…</p>`;
  const page = data.syncConflicts;
  return html`
    <h2>Conflicts</h2>
    ${notice && html`<p class="notice" role="status">${notice}</p>`}
    <p><span data-count="conflicts">${page.totalCount}</span> conflict(s), in the order they were recorded</p>
    <table class="conflicts">
      <thead>
        <tr>
          <th>When</th>
          <th>Contact</th>
          <th>Field</th>
          <th>TrainU</th>
          <th>GHL</th>
          <th>Rule</th>
          <th>Winner</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${page.edges.map(
          ({ node }) =>
            html`<tr data-conflict=${node.id}>
              <td>${ago(node.createdAt)}</td>
              <td>${node.contact?.email ?? node.contact?.id ?? '(deleted)'}</td>
              <td>${node.field}</td>
              <td data-field="trainu" class=${node.winner === 'TRAINU' ? 'won' : 'lost'}>
                ${shown(node.trainuValue)}<br /><small>${ago(node.trainuChangedAt)}</small>
              </td>
              <td data-field="ghl" class=${node.winner === 'GHL' ? 'won' : 'lost'}>
                ${shown(node.ghlValue)}<br /><small>${ago(node.ghlChangedAt)}</small>
              </td>
              <td>${node.rule}</td>
              <td data-field="winner">${node.winner}</td>
              <td>
                ${
                  node.reappliedAt
                    ? html`<span data-field="reapplied">re-applied ${ago(node.reappliedAt)}</span>`
                    : node.contact &&
                      html`<button type="button" onClick=${() => reapply(node)}>Re-apply losing value</button>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    <${Pager} cursors=${cursors} setCursors=${setCursors} pageInfo=${page.pageInfo} />
  `;
}

function losing(conflict) {
  return conflict.winner === 'GHL' ? conflict.trainuValue : conflict.ghlValue;
}

function shown(value) {
  return value === null ? '(empty)' : value;
}

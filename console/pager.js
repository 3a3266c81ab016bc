import { html } from './html.js';

/**
 * Previous / next page of a Relay connection. `cursors` is the stack of `after` cursors of the pages
 * seen so far (the first page's is null); `setCursors` moves along it.
 */
export function Pager({ cursors, setCursors, pageInfo }) {
  return html`
    <div class="pager">
      ${
        cursors.length > 1 &&
        html`<button type="button" onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>`
      }
      ${
        pageInfo.hasNextPage &&
        html`<button type="button" onClick=${() => setCursors([...cursors, pageInfo.endCursor])}>Next page</button>`
      }
    </div>
  `;
}

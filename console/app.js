import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { forgetKey, graphql, storedKey, storeKey } from './api.js';
import { html } from './html.js';
import { Backfill } from './backfill.js';
import { Conflicts } from './conflicts.js';
import { DeadLetters } from './dead-letters.js';
import { Overview } from './overview.js';
import { Story } from './story.js';

const PAGES = [
  ['overview', 'Overview', Overview],
  ['dead-letters', 'Dead letters', DeadLetters],
  ['conflicts', 'Conflicts', Conflicts],
  ['backfill', 'Backfill', Backfill],
  ['story', 'Contact story', Story],
];

/** The page the location's hash names (#dead-letters), the overview by default. */
function usePage() {
  const current = () => PAGES.find(([id]) => `#${id}` === location.hash) ?? PAGES[0];
  const [page, setPage] = useState(current);
  useEffect(() => {
    const changed = () => setPage(current);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return page;
}

/**
 * The console: a key form until the API accepts the key, then the pages. Nothing but the form is
 * shown, and nothing is fetched, without a key.
 */
function Console() {
  const [key, setKey] = useState(storedKey());
  const [pageId, , Page] = usePage();
  if (!key) return html`<${KeyForm} onKey=${setKey} />`;
  const signOut = () => (forgetKey(), setKey(null));
  return html`
    <header>
      <h1>TrainU ⇄ GHL sync</h1>
      <nav>
        ${PAGES.map(
          ([id, title]) => html`<a href=${`#${id}`} aria-current=${id === pageId ? 'page' : undefined}>${title}</a>`,
        )}
      </nav>
      <button type="button" onClick=${signOut}>Forget key</button>
    </header>
    <${Page} key=${pageId} />
  `;
}

function KeyForm({ onKey }) {
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const key = new FormData(event.currentTarget).get('key')?.toString().trim() ?? '';
    try {
      await graphql('{ syncStatus { queueDepth } }', {}, key);
      storeKey(key);
      onKey(key);
    } catch (failure) {
      setError(failure.status === 401 ? 'That key was refused.' : failure.message);
    }
  };
  return html`
    <form class="key" onSubmit=${submit}>
      <h1>TrainU ⇄ GHL sync console</h1>
      <label>API key <input name="key" type="password" autocomplete="off" required /></label>
      <button type="submit">Open</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  `;
}

render(html`<${Console} />`, document.getElementById('console'));

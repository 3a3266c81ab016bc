import { render } from 'preact';
import { useState } from 'preact/hooks';
import { forgetKey, graphql, storedKey, storeKey } from './api.js';
import { html } from './html.js';
import { Overview } from './overview.js';

/**
 * The console: a key form until the API accepts the key, then the pages. Nothing but the form is
 * shown, and nothing is fetched, without a key.
 */
function Console() {
  const [key, setKey] = useState(storedKey());
  if (!key) return html`<${KeyForm} onKey=${setKey} />`;
  const signOut = () => (forgetKey(), setKey(null));
  return html`
    <header>
      <h1>TrainU ⇄ GHL sync</h1>
      <nav><a href="#overview" aria-current="page">Overview</a></nav>
      <button type="button" onClick=${signOut}>Forget key</button>
    </header>
    <${Overview} />
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

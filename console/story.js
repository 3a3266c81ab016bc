import { useState } from 'preact/hooks';
import { graphql } from './api.js';
import { html } from './html.js';

const STORY = `query ($search: String!) {
  contactStory(search: $search) {
    matches
    contact { id ghlContactId email phone firstName lastName }
    entries { at kind summary correlationId }
  }
}`;

/** A contact's story: search by email, phone or GHL id; everything the sync did with it, newest first. */
export function Story() {
  const [story, setStory] = useState(null);
  const [error, setError] = useState(null);
  const search = async (event) => {
    event.preventDefault();
    const text = new FormData(event.currentTarget).get('search')?.toString() ?? '';
    try {
      setStory((await graphql(STORY, { search: text })).contactStory);
      setError(null);
    } catch (failure) {
      setError(failure.message);
    }
  };
  return html`
    <h2>A contact's story</h2>
    <form class="filters" onSubmit=${search}>
      <label>Email, phone or GHL id <input name="search" type="search" required minlength="3" /></label>
      <button type="submit">Find</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${story && !story.contact && html`<p data-field="no-match">No contact matches.</p>`}
    ${story?.contact && html`<${StoryOf} story=${story} />`}
  `;
}

function StoryOf({ story: { contact, matches, entries } }) {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return html`
    <section class="detail" aria-label="Story">
      <h3 data-field="contact">${name || contact.email || contact.id}</h3>
      <p>
        TrainU id <code>${contact.id}</code> · GHL id <code>${contact.ghlContactId ?? '(not linked)'}</code>
        ${matches > 1 && html` · ${matches} contacts match; this is the oldest`}
      </p>
      <table class="story">
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>Summary</th>
            <th>Correlation id</th>
          </tr>
        </thead>
        <tbody>
          ${entries.map(
            (entry) =>
              html`<tr data-kind=${entry.kind}>
                <td>${new Date(entry.at).toLocaleString()}</td>
                <td>${entry.kind.replace('_', ' ')}</td>
                <td>${entry.summary}</td>
                <td><code>${entry.correlationId ?? ''}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>
  `;
}

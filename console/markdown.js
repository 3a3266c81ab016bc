import { html } from './html.js';

/**
 * The little Markdown the playbooks use (headings, paragraphs, numbered and bulleted lists, code
 * blocks, `code` and **bold**), rendered as elements: text is never parsed as HTML.
 */
export function Markdown({ text }) {
  const blocks = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index];
    if (line.startsWith('```')) {
      const code = [];
      while (++index < lines.length && !lines[index].startsWith('```')) code.push(lines[index]);
      blocks.push(html`<pre><code>${code.join('\n')}</code></pre>`);
    } else if (/^#{1,3} /.test(line)) {
      const level = line.indexOf(' ');
      blocks.push(
        level === 1 ? html`<h3>${inline(line.slice(2))}</h3>` : html`<h4>${inline(line.slice(level + 1))}</h4>`,
      );
    } else if (/^(\d+\.|-) /.test(line)) {
      const ordered = /^\d+\./.test(line);
      const items = [];
      while (index < lines.length && /^(\d+\.|-) /.test(lines[index])) {
        let item = lines[index].replace(/^(\d+\.|-) /, '');
        while (index + 1 < lines.length && /^ {2,}\S/.test(lines[index + 1])) item += ` ${lines[++index].trim()}`;
        items.push(html`<li>${inline(item)}</li>`);
        index += 1;
      }
      index -= 1;
      blocks.push(
        ordered
          ? html`<ol>
              ${items}
            </ol>`
          : html`<ul>
              ${items}
            </ul>`,
      );
    } else if (line.trim()) {
      const paragraph = [line];
      while (index + 1 < lines.length && lines[index + 1].trim() && !/^(#|```|\d+\. |- )/.test(lines[index + 1])) {
        paragraph.push(lines[++index]);
      }
      blocks.push(html`<p>${inline(paragraph.join(' '))}</p>`);
    }
  }
  return html`<div class="markdown">${blocks}</div>`;
}

function inline(text) {
  return text
    .split(/(`[^`]+`|\*\*[^*]+\*\*)/)
    .filter(Boolean)
    .map((part) => {
      if (part.startsWith('`')) return html`<code>${part.slice(1, -1)}</code>`;
      if (part.startsWith('**')) return html`<strong>${part.slice(2, -2)}</strong>`;
      return part;
    });
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

/** A file the console serves, held in memory: its bytes and type. */
export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * Every file the console may serve, by its name under /console/ (ADR 0025): the app's own modules in
 * `console/`, and the front-end libraries as npm installed them. A fixed list, read once at start:
 * no path from a request ever reaches the file system.
 */
const ASSET_FILES: Readonly<Record<string, readonly [string, string]>> = {
  'app.js': ['console/app.js', JS],
  'api.js': ['console/api.js', JS],
  'backfill.js': ['console/backfill.js', JS],
  'conflicts.js': ['console/conflicts.js', JS],
  'dead-letters.js': ['console/dead-letters.js', JS],
  'format.js': ['console/format.js', JS],
  'html.js': ['console/html.js', JS],
  'markdown.js': ['console/markdown.js', JS],
  'overview.js': ['console/overview.js', JS],
  'pager.js': ['console/pager.js', JS],
  'story.js': ['console/story.js', JS],
  'style.css': ['console/style.css', CSS],
  'vendor/preact.mjs': ['node_modules/preact/dist/preact.mjs', JS],
  'vendor/preact-hooks.mjs': ['node_modules/preact/hooks/dist/hooks.mjs', JS],
  'vendor/htm.mjs': ['node_modules/htm/dist/htm.mjs', JS],
  'vendor/uplot.mjs': ['node_modules/uplot/dist/uPlot.esm.js', JS],
  'vendor/uplot.css': ['node_modules/uplot/dist/uPlot.min.css', CSS],
};

/** Bare module names the app imports, mapped to the vendored files (the page's import map). */
const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: '/console/vendor/preact.mjs',
    'preact/hooks': '/console/vendor/preact-hooks.mjs',
    htm: '/console/vendor/htm.mjs',
    uplot: '/console/vendor/uplot.mjs',
  },
});

/** The page: a key form and the app's entry; nothing else until the key is known good. */
function pageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>TrainU ⇄ GHL sync console</title>
<link rel="stylesheet" href="/console/style.css">
<link rel="stylesheet" href="/console/vendor/uplot.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="/console/app.js"></script>
</head>
<body><main id="console"></main></body>
</html>
`;
}

/** The console's files and its page, with the Content-Security-Policy that allows exactly them. */
export class ConsoleAssets {
  readonly page: Buffer;
  /** Scripts from /console only, plus the inline import map by its hash; data only from this origin. */
  readonly contentSecurityPolicy: string;
  private readonly assets: ReadonlyMap<string, ConsoleAsset>;

  constructor(root = PROJECT_ROOT) {
    this.assets = new Map(
      Object.entries(ASSET_FILES).map(([name, [path, contentType]]) => [
        name,
        { body: readFileSync(join(root, path)), contentType },
      ]),
    );
    this.page = Buffer.from(pageHtml());
    const importMapHash = createHash('sha256').update(IMPORT_MAP).digest('base64');
    this.contentSecurityPolicy = [
      "default-src 'none'",
      `script-src 'self' 'sha256-${importMapHash}'`,
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }

  /** The named file; undefined for any name not in the list. */
  get(name: string): ConsoleAsset | undefined {
    return this.assets.get(name);
  }
}

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConsoleAssets } from './console-assets.js';

describe('ConsoleAssets', () => {
  const assets = new ConsoleAssets();

  it('serves the listed files only, whatever the name tries', () => {
    expect(assets.get('app.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('vendor/preact.mjs')?.body.length).toBeGreaterThan(1000);
    for (const name of ['../package.json', 'vendor/../../.env', 'app.js/', 'APP.JS', '']) {
      expect(assets.get(name)).toBeUndefined();
    }
  });

  it('allows exactly its inline import map by hash, and no other inline script', () => {
    const page = assets.page.toString();
    const importMap = /<script type="importmap">(.*?)<\/script>/.exec(page)![1]!;
    const hash = createHash('sha256').update(importMap).digest('base64');
    expect(assets.contentSecurityPolicy).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(page.match(/<script/g)).toHaveLength(2); // the import map and the app's entry module
    expect(assets.contentSecurityPolicy).toContain("default-src 'none'");
  });
});

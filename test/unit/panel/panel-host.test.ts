/** The vscode-free parts of the panel's host: its HTML and CSP, and where the CodeLenses go. */
import { strict as assert } from 'node:assert';
import { findBackwardCalls } from '../../../src/extension/panel/backward-lines';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../src/extension/panel/html';
import { EXERCISE } from './scripts';

const parts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abcDEF0123456789abcDEF0123456789',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  katexCssUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/katex.css',
  panelCssUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
  docKey: '0123456789abcdef0123456789abcdef',
};

describe('graph panel host', () => {
  describe('HTML and Content Security Policy', () => {
    it("default-src 'none', scripts by nonce only, styles and fonts from the extension, workers and images from blob: only, nothing inline or eval", () => {
      const csp = contentSecurityPolicy(parts.cspSource, parts.nonce);
      assert.equal(
        csp,
        "default-src 'none'; script-src 'nonce-abcDEF0123456789abcDEF0123456789'; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; worker-src blob:; img-src blob:",
      );
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    });

    it('the page: one script with the nonce, the two stylesheets, the document key, no inline script or style', () => {
      const html = panelHtml(parts);
      assert.equal((html.match(/<script/g) ?? []).length, 1);
      assert.match(html, /<script nonce="abcDEF0123456789abcDEF0123456789" src="[^"]+\/dist\/webview\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="[^"]+\/dist\/katex\.css">/);
      assert.match(html, /<link rel="stylesheet" href="[^"]+\/media\/panel\.css">/);
      assert.match(html, /data-doc-key="0123456789abcdef0123456789abcdef"/);
      assert.doesNotMatch(html, /<style|\sstyle=|\son\w+=/);
    });

    it('refuses parts that could break out of an attribute', () => {
      assert.throws(() => panelHtml({ ...parts, docKey: '"><script>' }), /docKey/);
      assert.throws(() => panelHtml({ ...parts, scriptUri: "x' onload='y" }), /scriptUri/);
      assert.throws(() => contentSecurityPolicy("'unsafe-inline' x", parts.nonce), /cspSource/);
      assert.throws(() => contentSecurityPolicy('x; script-src *', parts.nonce), /cspSource/);
      assert.throws(() => contentSecurityPolicy('x" onload="y', parts.nonce), /cspSource/);
      assert.throws(() => contentSecurityPolicy('*', parts.nonce), /cspSource/);
      // What VS Code gives: several sources, with quotes and wildcards in host names.
      assert.equal(
        contentSecurityPolicy("'self' https://*.vscode-cdn.net", 'n0nce'),
        "default-src 'none'; script-src 'nonce-n0nce'; style-src 'self' https://*.vscode-cdn.net; font-src 'self' https://*.vscode-cdn.net; worker-src blob:; img-src blob:",
      );
    });

    it('a fresh 32-character nonce each time', () => {
      const a = makeNonce();
      const b = makeNonce();
      assert.match(a, /^[A-Za-z0-9]{32}$/);
      assert.notEqual(a, b);
    });
  });

  describe('CodeLens positions: .backward( calls, not in comments or strings', () => {
    it('the course exercise has one, on line 16', () => {
      assert.deepEqual(findBackwardCalls(EXERCISE), [{ line: 16, col: 4 }]);
    });

    it('skips comments, strings and docstrings; finds several per file and per line', () => {
      const src = [
        '"""A docstring that mentions loss.backward() and',
        'spans lines: x.backward()"""',
        "s = 'y.backward()'  # z.backward()",
        'loss.backward()',
        'for i in range(3):',
        '    a.backward(retain_graph=True); b.backward()',
        'loss.backward ()',
        'print("it\'s loss.backward()")',
      ].join('\n');
      assert.deepEqual(findBackwardCalls(src), [
        { line: 4, col: 4 },
        { line: 6, col: 5 },
        { line: 6, col: 36 },
        { line: 7, col: 4 },
      ]);
    });
  });
});

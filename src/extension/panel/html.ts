/**
 * The graph panel's HTML: a fixed page with a strict Content Security
 * Policy. No user string ever goes into it (the page fills itself from
 * messages, through textContent); only URIs of the extension's own files,
 * the webview's cspSource, a fresh nonce and an opaque document key.
 *
 *   default-src 'none'            nothing that is not listed below
 *   script-src 'nonce-…'          only dist/webview.js, by a nonce fresh per render (no unsafe-eval)
 *   style-src  cspSource          media/panel.css and dist/katex.css. No 'unsafe-inline': KaTeX
 *                                 is rendered to DOM nodes (katex.render), whose inline styles are
 *                                 set through the CSSOM, which the policy does not govern; the
 *                                 web components style their shadow roots with constructed sheets
 *   font-src   cspSource          KaTeX's woff2 fonts in dist/katex-fonts/
 *   worker-src blob:              the layout worker (webview/layout-worker.ts), whose text is inlined
 *                                 in dist/webview.js and started from a Blob URL: a webview cannot
 *                                 start a worker from the extension's resource URLs (another origin)
 *   img-src blob:                 the PNG export: the page's own SVG export, drawn from a Blob URL
 *                                 onto a canvas (webview/export.ts); no image from anywhere else
 *
 * Imports nothing from vscode, so the browser test builds the same page.
 */

export interface PanelHtmlParts {
  /** webview.cspSource. */
  readonly cspSource: string;
  /** A fresh nonce for this render (base64url / alphanumeric). */
  readonly nonce: string;
  /** webview.asWebviewUri(...) of dist/webview.js, dist/katex.css, media/panel.css. */
  readonly scriptUri: string;
  readonly katexCssUri: string;
  readonly panelCssUri: string;
  /** Opaque key of the document this panel shows (kept in the page's state for the serializer). */
  readonly docKey: string;
}

/** Characters a nonce, a key or a URI may hold here: enough to be sure nothing can break out of an attribute. */
function attr(s: string, what: string): string {
  if (/["'<>&\s`]/.test(s)) throw new Error(`panel html: unexpected character in ${what}`);
  return s;
}

/**
 * webview.cspSource: one or more sources separated by spaces (VS Code gives
 * e.g. `'self' https://*.vscode-cdn.net`); nothing that could end the
 * attribute, add a directive, or relax the policy.
 */
function sources(s: string): string {
  if (/["<>&;\r\n]|'unsafe-|\*\s|^\*$/.test(s) || s.trim() === '') throw new Error('panel html: unexpected cspSource');
  return s;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  const src = sources(cspSource);
  return [
    "default-src 'none'",
    `script-src 'nonce-${attr(nonce, 'nonce')}'`,
    `style-src ${src}`,
    `font-src ${src}`,
    'worker-src blob:',
    'img-src blob:',
  ].join('; ');
}

export function panelHtml(p: PanelHtmlParts): string {
  const csp = contentSecurityPolicy(p.cspSource, p.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.katexCssUri, 'katexCssUri')}">
<link rel="stylesheet" href="${attr(p.panelCssUri, 'panelCssUri')}">
<title>Backprop graph</title>
</head>
<body data-doc-key="${attr(p.docKey, 'docKey')}">
<div id="app" class="app"></div>
<script nonce="${p.nonce}" src="${attr(p.scriptUri, 'scriptUri')}"></script>
</body>
</html>
`;
}

/** A nonce: 32 alphanumerics from the platform's cryptographic random source. */
export function makeNonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += chars[b % chars.length];
  return s;
}

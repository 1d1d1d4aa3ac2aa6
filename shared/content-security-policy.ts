/**
 * The page's Content-Security-Policy, one string for every way the page is
 * loaded: the build writes it into index.html, the Electron shell adds it as
 * a header, and the loopback web host sends it with every response.
 * Scripts and style sheets come only from the app itself; nothing is fetched from
 * the network (remote images in mail are loaded by the main process, and only
 * after the user allows it).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // A message is shown in a sandboxed <iframe srcdoc>. Chromium does not check frame-src for srcdoc (no
  // URL is fetched), so "frame-src 'none'" stays; but a srcdoc document inherits this policy, and policies
  // only ever add up, so with 'self' alone every style in a mail would be refused. Inline styles are all
  // that is allowed besides: they cannot fetch anything (img-src, font-src and connect-src stay closed), and
  // React never writes markup it did not escape.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
